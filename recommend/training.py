"""Training: from catalog and interactions to published lists.

The work is split in three steps so that large catalogs can be trained by several
Celery workers (see recommend.tasks):

1. `prepare` (once): features, blocks, popularity, co-occurrence and next
   lists, and the personal blend tuned on the shop's own recent interactions
   (`recommend.personal.tune`; the configured defaults with too little data).
2. `shard_fields` (per shard of rows): content neighbours of the shard's products,
   blended with co-occurrence and popularity (similar products) and with
   co-occurrence and next (personal lists), as store fields.
3. publish: the store's pointer flip, once every shard has written its fields.

`train` runs the three in one process. `prepare` and `shard_fields` take plain
records and arrays (`recommend.data` reads them from the database), so the
benchmark trains without a database.
"""

import io
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from scipy import sparse

from recommend.collaborative import (
    Interactions,
    blend_lists,
    popularity,
    scaled_popularity,
)
from recommend.features import Item, build_features
from recommend.personal import collaborative_lists, tune
from recommend.similarity import cap_blocks, nested_blocks, shard_rows, top_k_rows
from recommend.store import encode_rows, encode_scored

Progress = Callable[[str], None]

# Products whose lists are built, encoded and written together.
FIELD_CHUNK = 50_000


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
    next_neighbours: np.ndarray  # per row, what shoppers went on to (-1 padded)
    next_scores: np.ndarray
    tuned: dict  # the personal blend: Tuned.as_dict()
    # Every row's content neighbours when `prepare` computed them for an
    # in-process run (tuning and the lists share them); never serialised:
    # sharded runs compute each shard's own.
    content: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def dumps(self) -> bytes:
        """The shared state as bytes; neighbour lists keep only their entries
        (most rows of a large catalog have a few, not PERSONAL_K)."""
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
            **_packed("co", self.co_neighbours, self.co_scores),
            **_packed("next", self.next_neighbours, self.next_scores),
            tuned=np.array(json.dumps(self.tuned)),
        )
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> "Prepared":
        arrays = np.load(io.BytesIO(blob))
        features = sparse.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]),
            shape=tuple(arrays["shape"]),
        )
        co_neighbours, co_scores = _unpacked(arrays, "co")
        next_neighbours, next_scores = _unpacked(arrays, "next")
        return cls(
            ids=arrays["ids"],
            features=features,
            labels=arrays["labels"],
            popular=arrays["popular"],
            co_neighbours=co_neighbours,
            co_scores=co_scores,
            next_neighbours=next_neighbours,
            next_scores=next_scores,
            tuned=json.loads(str(arrays["tuned"])),
        )


def _packed(name: str, neighbours: np.ndarray, scores: np.ndarray) -> dict:
    """Padded (-1) neighbour lists as their entries and a length per row."""
    valid = neighbours >= 0
    return {
        f"{name}_lengths": valid.sum(axis=1).astype(np.int32),
        f"{name}_width": np.array(neighbours.shape[1]),
        f"{name}_neighbours": neighbours[valid].astype(np.int32),
        f"{name}_scores": scores[valid],
    }


def _unpacked(arrays, name: str) -> tuple[np.ndarray, np.ndarray]:
    lengths = arrays[f"{name}_lengths"]
    width = int(arrays[f"{name}_width"])
    neighbours = np.full((len(lengths), width), -1, dtype=np.int64)
    scores = np.zeros((len(lengths), width), dtype=np.float32)
    # Entries fill each row from the start (padding is at the end).
    filled = np.arange(width) < lengths[:, None]
    neighbours[filled] = arrays[f"{name}_neighbours"]
    scores[filled] = arrays[f"{name}_scores"]
    return neighbours, scores


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
    all_content: bool = False,
) -> tuple[Prepared, np.ndarray]:
    """The shared state of a run, and the raw (unscaled) popularity per row.

    `all_content`: compute every row's content neighbours once, for tuning and
    for `shard_fields` (a run in one process); otherwise tuning computes only
    the rows it needs and each shard its own."""
    started = time.perf_counter()
    features = build_features(items, config["FIELD_WEIGHTS"])
    progress(
        f"features: {features.shape[0]} products x {features.shape[1]} terms "
        f"in {time.perf_counter() - started:.2f} s"
    )
    labels = blocks(items, features, config["MAX_BLOCK_SIZE"])
    count = len(items)

    def popular_of(data: Interactions) -> np.ndarray:
        return scaled_popularity(
            popularity(
                data,
                count,
                now,
                config["KIND_WEIGHTS"],
                config["POPULARITY_HALF_LIFE_DAYS"],
            )
        )

    raw_popularity = popularity(
        interactions,
        count,
        now,
        config["KIND_WEIGHTS"],
        config["POPULARITY_HALF_LIFE_DAYS"],
    )
    started = time.perf_counter()
    (co_neighbours, co_scores), (next_neighbours, next_scores) = collaborative_lists(
        interactions, count, config
    )
    progress(
        f"co-occurrence, next and popularity from {len(interactions)} interactions "
        f"in {time.perf_counter() - started:.2f} s"
    )
    content = None
    if all_content:
        started = time.perf_counter()
        content = top_k_rows(features, labels, np.arange(count), config["SIMILAR_K"])
        progress(
            f"content neighbours of {count} products "
            f"in {time.perf_counter() - started:.2f} s"
        )
    started = time.perf_counter()
    tuned = tune(
        interactions,
        (lambda rows: (content[0][rows], content[1][rows]))
        if content is not None
        else lambda rows: top_k_rows(features, labels, rows, config["SIMILAR_K"]),
        popular_of,
        count,
        config,
    )
    progress(
        f"personal blend {'tuned' if tuned.tuned else 'defaults (too little data)'}"
        f": {tuned.weights}, half-life {tuned.half_life_items} items, validation "
        f"NDCG@10 {tuned.score:.4f} (defaults {tuned.default_score:.4f}) over "
        f"{tuned.shoppers} shoppers in {time.perf_counter() - started:.2f} s"
    )
    prepared = Prepared(
        ids=np.fromiter((item.id for item in items), dtype=np.int64, count=count),
        features=features,
        labels=labels,
        popular=scaled_popularity(raw_popularity),
        co_neighbours=co_neighbours,
        co_scores=co_scores,
        next_neighbours=next_neighbours,
        next_scores=next_scores,
        tuned=tuned.as_dict(),
        content=content,
    )
    return prepared, raw_popularity


def similar_lists(
    prepared: Prepared,
    rows: np.ndarray,
    config: Mapping,
    content: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The blended neighbour rows (and scores) of `rows`; `content`: their
    content neighbours when already at hand."""
    k = config["SIMILAR_K"]
    if content is None:
        content = top_k_rows(prepared.features, prepared.labels, rows, k)
    return blend_lists(
        {
            "content": content,
            "cooccurrence": (prepared.co_neighbours[rows], prepared.co_scores[rows]),
        },
        prepared.popular,
        config["BLEND"],
        k,
        rows=rows,
    )


def shard_fields(
    prepared: Prepared, shard: int, shards: int, config: Mapping
) -> Iterator[dict[str, str]]:
    """Store fields `similar:<product id>` and `personal:<product id>` (the
    product's personal list, see recommend.personal) for one shard's products,
    FIELD_CHUNK products at a time (a chunk's fields are written before the
    next is built: memory stays that of one chunk)."""
    rows = shard_rows(prepared.labels, shard, shards)
    for start in range(0, len(rows), FIELD_CHUNK):
        yield _chunk_fields(prepared, rows[start : start + FIELD_CHUNK], config)


def _chunk_fields(
    prepared: Prepared, rows: np.ndarray, config: Mapping
) -> dict[str, str]:
    k = config["SIMILAR_K"]
    if prepared.content is None:
        content = top_k_rows(prepared.features, prepared.labels, rows, k)
    else:
        content = (prepared.content[0][rows], prepared.content[1][rows])

    def personal() -> tuple[np.ndarray, np.ndarray]:
        # Popularity is added once per candidate when serving, not per history
        # item.
        return blend_lists(
            {
                "content": content,
                "cooccurrence": (
                    prepared.co_neighbours[rows],
                    prepared.co_scores[rows],
                ),
                "next": (prepared.next_neighbours[rows], prepared.next_scores[rows]),
            },
            prepared.popular,
            {**prepared.tuned["weights"], "popularity": 0.0},
            config["PERSONAL_K"],
            rows=rows,
        )

    fields = {}
    # One list at a time, encoded before the next is built (less memory).
    for name, build in (
        ("similar", lambda: similar_lists(prepared, rows, config, content)),
        ("personal", personal),
    ):
        neighbours, scores = build()
        # Row numbers to product ids (padding stays -1).
        product_ids = np.where(neighbours >= 0, prepared.ids[neighbours], -1)
        del neighbours
        values = encode_rows(product_ids, scores)
        del product_ids, scores
        fields.update(
            zip(
                (f"{name}:{pk}" for pk in prepared.ids[rows].tolist()),
                values,
                strict=True,
            )
        )
    return fields


def model_fields(prepared: Prepared) -> dict[str, str]:
    """`model`: the personal blend's weights, half-life and validation score."""
    return {"model": json.dumps(prepared.tuned, sort_keys=True)}


def popular_fields(
    ids: np.ndarray,
    raw_popularity: np.ndarray,
    category_ids: Sequence[tuple[int, ...]],
    limit: int,
) -> dict[str, str]:
    """`popular` (the whole catalog) and `popular:<category id>` (its subtree).

    Sorted once (no loop over the products): every (category, product) pair
    ordered by category, then by the product's popularity rank."""
    order = np.argsort(-raw_popularity, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    lengths = np.fromiter(map(len, category_ids), dtype=np.int64, count=len(ids))
    rows = np.repeat(np.arange(len(ids)), lengths)
    categories = np.fromiter(
        chain.from_iterable(category_ids), dtype=np.int64, count=int(lengths.sum())
    )
    pairs = np.lexsort((rank[rows], categories))
    rows, categories = rows[pairs], categories[pairs]
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = categories[1:] != categories[:-1]
    starts = np.flatnonzero(first)
    position = np.arange(len(pairs)) - np.repeat(starts, np.diff([*starts, len(pairs)]))
    kept = position < limit
    rows, categories, heads = rows[kept], categories[kept], np.flatnonzero(first[kept])
    lists = {"popular": order[:limit]}
    for category, members in zip(
        categories[heads].tolist(),
        np.split(rows, heads[1:]) if len(heads) else [],
        strict=True,
    ):
        lists[f"popular:{category}"] = members
    return {
        name: encode_scored(
            zip(ids[members].tolist(), raw_popularity[members].tolist(), strict=True)
        )
        for name, members in lists.items()
    }


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
    prepared, raw_popularity = prepare(
        items, interactions, config, now, progress, all_content=True
    )
    store.write(
        version,
        {
            **popular_fields(
                prepared.ids, raw_popularity, category_ids, config["POPULAR_K"]
            ),
            **model_fields(prepared),
        },
    )
    started = time.perf_counter()
    shards = max(1, config["SHARDS"])
    for shard in range(shards):
        for fields in shard_fields(prepared, shard, shards, config):
            store.write(version, fields)
    progress(
        f"similar products ({config['SIMILAR_K']} each, {shards} shard(s)) "
        f"in {time.perf_counter() - started:.2f} s"
    )
    store.publish(version)
    progress(f"published version {version}")
    return version, raw_popularity
