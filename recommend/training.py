"""Training: from catalog and interactions to published lists.

The work is split in three steps so that large catalogs can be trained by several
Celery workers (see recommend.tasks):

1. `prepare` (once): features, blocks, popularity and co-occurrence.
2. `shard_fields` (per shard of rows): content neighbours of the shard's products,
   blended with co-occurrence and popularity, as store fields.
3. publish: the store's pointer flip, once every shard has written its fields.

`train` runs the three in one process. `prepare` and `shard_fields` take plain
records and arrays (`recommend.data` reads them from the database), so the
benchmark trains without a database.
"""

import io
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from recommend.collaborative import (
    Interactions,
    blend_lists,
    cooccurrence,
    popularity,
    scaled_popularity,
    sparse_top_k,
)
from recommend.features import Item, build_features
from recommend.similarity import cap_blocks, nested_blocks, shard_rows, top_k_rows
from recommend.store import encode_scored

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclass
class Prepared:
    """What every shard needs; serialisable with `dumps` / `loads`."""

    ids: np.ndarray  # product id per row
    features: sparse.csr_matrix
    labels: np.ndarray  # block per row
    popular: np.ndarray  # scaled popularity per row, in [0, 1]
    co_neighbours: np.ndarray  # per row, top co-occurring rows (-1 padded)
    co_scores: np.ndarray

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(
            buffer,
            ids=self.ids,
            data=self.features.data,
            indices=self.features.indices,
            indptr=self.features.indptr,
            shape=np.array(self.features.shape),
            labels=self.labels,
            popular=self.popular,
            co_neighbours=self.co_neighbours,
            co_scores=self.co_scores,
        )
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> "Prepared":
        arrays = np.load(io.BytesIO(blob))
        features = sparse.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]),
            shape=tuple(arrays["shape"]),
        )
        return cls(
            ids=arrays["ids"],
            features=features,
            labels=arrays["labels"],
            popular=arrays["popular"],
            co_neighbours=arrays["co_neighbours"],
            co_scores=arrays["co_scores"],
        )


def block_keys(items: Sequence[Item]) -> list[tuple]:
    return [(*item.category_path, item.gender) for item in items]


def blocks(
    items: Sequence[Item], features: sparse.csr_matrix, max_size: int
) -> np.ndarray:
    """Block labels: category, subcategory, ..., gender, as far as needed, then
    cut along the features where the keys run out (no block above max_size)."""
    return cap_blocks(features, nested_blocks(block_keys(items), max_size), max_size)


def prepare(
    items: Sequence[Item],
    interactions: Interactions,
    config: Mapping,
    now: float,
    progress: Progress = _quiet,
) -> tuple[Prepared, np.ndarray]:
    """The shared state of a run, and the raw (unscaled) popularity per row."""
    started = time.perf_counter()
    features = build_features(items, config["FIELD_WEIGHTS"])
    progress(
        f"features: {features.shape[0]} products x {features.shape[1]} terms "
        f"in {time.perf_counter() - started:.2f} s"
    )
    labels = blocks(items, features, config["MAX_BLOCK_SIZE"])
    raw_popularity = popularity(
        interactions,
        len(items),
        now,
        config["KIND_WEIGHTS"],
        config["POPULARITY_HALF_LIFE_DAYS"],
    )
    started = time.perf_counter()
    co_neighbours, co_scores = sparse_top_k(
        cooccurrence(
            interactions,
            len(items),
            config["KIND_WEIGHTS"],
            config["COOCCURRENCE_SHRINK"],
        ),
        config["SIMILAR_K"],
    )
    progress(
        f"co-occurrence and popularity from {len(interactions)} interactions "
        f"in {time.perf_counter() - started:.2f} s"
    )
    prepared = Prepared(
        ids=np.fromiter((item.id for item in items), dtype=np.int64, count=len(items)),
        features=features,
        labels=labels,
        popular=scaled_popularity(raw_popularity),
        co_neighbours=co_neighbours,
        co_scores=co_scores,
    )
    return prepared, raw_popularity


def similar_lists(
    prepared: Prepared, rows: np.ndarray, config: Mapping
) -> tuple[np.ndarray, np.ndarray]:
    """The blended neighbour rows (and scores) of `rows`."""
    k = config["SIMILAR_K"]
    content = top_k_rows(prepared.features, prepared.labels, rows, k)
    return blend_lists(
        content,
        (prepared.co_neighbours[rows], prepared.co_scores[rows]),
        prepared.popular,
        config["BLEND"],
        k,
        rows=rows,
    )


def shard_fields(
    prepared: Prepared, shard: int, shards: int, config: Mapping
) -> dict[str, str]:
    """Store fields `similar:<product id>` for the products of one shard."""
    rows = shard_rows(prepared.labels, shard, shards)
    neighbours, scores = similar_lists(prepared, rows, config)
    fields = {}
    for row, row_neighbours, row_scores in zip(rows, neighbours, scores, strict=True):
        kept = row_neighbours >= 0
        fields[f"similar:{prepared.ids[row]}"] = encode_scored(
            zip(
                prepared.ids[row_neighbours[kept]].tolist(),
                row_scores[kept].tolist(),
                strict=True,
            )
        )
    return fields


def popular_fields(
    ids: np.ndarray,
    raw_popularity: np.ndarray,
    category_ids: Sequence[tuple[int, ...]],
    limit: int,
) -> dict[str, str]:
    """`popular` (the whole catalog) and `popular:<category id>` (its subtree)."""
    order = np.argsort(-raw_popularity, kind="stable")
    lists: dict[str, list[tuple[int, float]]] = {"popular": []}
    for row in order.tolist():
        entry = (int(ids[row]), float(raw_popularity[row]))
        for name in ["popular", *(f"popular:{pk}" for pk in category_ids[row])]:
            ranked = lists.setdefault(name, [])
            if len(ranked) < limit:
                ranked.append(entry)
    return {name: encode_scored(ranked) for name, ranked in lists.items()}


def train(
    items: Sequence[Item],
    category_ids: Sequence[tuple[int, ...]],
    interactions: Interactions,
    store,
    config: Mapping,
    now: float,
    progress: Progress = _quiet,
) -> tuple[str, np.ndarray]:
    """One whole run in this process: the published version, and the raw
    popularity per row (for the catalog's own popularity field)."""
    version = store.begin()
    prepared, raw_popularity = prepare(items, interactions, config, now, progress)
    store.write(
        version,
        popular_fields(prepared.ids, raw_popularity, category_ids, config["POPULAR_K"]),
    )
    started = time.perf_counter()
    shards = max(1, config["SHARDS"])
    for shard in range(shards):
        store.write(version, shard_fields(prepared, shard, shards, config))
    progress(
        f"similar products ({config['SIMILAR_K']} each, {shards} shard(s)) "
        f"in {time.perf_counter() - started:.2f} s"
    )
    store.publish(version)
    progress(f"published version {version}")
    return version, raw_popularity
