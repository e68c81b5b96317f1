"""Offline evaluation: time-ordered leave-last-out with full ranking.

For every shopper with at least two distinct products, the product they came to
last (by the time of their first interaction with it) is held out, together with
everything the shopper did from that moment on. The models are trained on what
is left (all shoppers), and each ranks the whole catalog for the shopper, minus
the products the shopper already interacted with (no sampled negatives). The
metrics are averaged over the shoppers:

- HR@k: the held-out product is in the top k;
- NDCG@k: 1 / log2(rank + 1) for a hit at rank 1..k (one relevant product);
- MAP@k: 1 / rank for a hit (average precision with one relevant product);
- coverage@k: the share of the catalog that appears in any shopper's top k.

The models, all scoring from the shopper's weighted history (kind weight,
halved every HISTORY_HALF_LIFE_DAYS before the held-out moment):

- popularity: decayed popularity at the end of the training data;
- content: the history's weighted TF-IDF profile, cosine with every product;
- co-occurrence: the history's weighted co-occurrence with every product;
- blend: BLEND weights over the three, each scaled to [0, 1] per shopper.
"""

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy import sparse

from recommend.collaborative import (
    Interactions,
    cooccurrence,
    decay,
    popularity,
    scaled_popularity,
)
from recommend.features import Item, build_features

MODELS = ("popularity", "content", "co-occurrence", "blend")
SHOPPER_CHUNK = 256


@dataclass(frozen=True)
class Split:
    train: Interactions
    shoppers: np.ndarray  # the evaluated shoppers
    targets: np.ndarray  # their held-out item rows
    cutoffs: np.ndarray  # the moment each target was first touched


@dataclass(frozen=True)
class Scores:
    hit_rate: float
    ndcg: float
    map: float
    coverage: float


def leave_last_out(interactions: Interactions) -> Split:
    order = np.lexsort((interactions.item, interactions.at, interactions.shopper))
    shopper = interactions.shopper[order]
    item = interactions.item[order]
    at = interactions.at[order]
    keep = np.ones(len(interactions), dtype=bool)
    shoppers, targets, cutoffs = [], [], []
    bounds = np.flatnonzero(np.diff(shopper)) + 1
    for start, end in zip(np.r_[0, bounds], np.r_[bounds, len(shopper)], strict=True):
        first_seen: dict[int, int] = {}
        for position in range(start, end):
            first_seen.setdefault(int(item[position]), position)
        if len(first_seen) < 2:
            continue
        last = max(first_seen.values())
        keep[last:end] = False
        # Events at the very same moment as the target are held out with it.
        moment = at[last]
        keep[start:end] &= at[start:end] < moment
        shoppers.append(int(shopper[start]))
        targets.append(int(item[last]))
        cutoffs.append(float(moment))
    kept = order[keep]
    return Split(
        train=interactions.take(np.sort(kept)),
        shoppers=np.array(shoppers, dtype=np.int64),
        targets=np.array(targets, dtype=np.int64),
        cutoffs=np.array(cutoffs, dtype=np.float64),
    )


def _scaled(rows: np.ndarray) -> np.ndarray:
    top = rows.max(axis=1, keepdims=True)
    top[top <= 0] = 1.0
    return rows / top


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Row-wise top k columns, ties to the lower column (a stable, exact order)."""
    columns = np.arange(scores.shape[1])
    return np.array(
        [np.lexsort((columns, -row))[:k] for row in scores], dtype=np.int64
    ).reshape(len(scores), min(k, scores.shape[1]))


def evaluate(
    items: Sequence[Item],
    interactions: Interactions,
    config: Mapping,
    k: int = 10,
) -> tuple[dict[str, Scores], int]:
    """Scores per model (MODELS order) on a leave-last-out split, and the number
    of shoppers evaluated."""
    split = leave_last_out(interactions)
    count = len(items)
    if not len(split.shoppers):
        raise ValueError("No shopper has interactions with two different products.")
    train = split.train
    kind_weights = config["KIND_WEIGHTS"]
    features = build_features(items, config["FIELD_WEIGHTS"])
    co = cooccurrence(train, count, kind_weights, config["COOCCURRENCE_SHRINK"])
    now = float(train.at.max()) if len(train) else 0.0
    popular = scaled_popularity(
        popularity(train, count, now, kind_weights, config["POPULARITY_HALF_LIFE_DAYS"])
    )
    # The evaluated shoppers' training history as a weighted shopper x item matrix.
    position = {shopper: index for index, shopper in enumerate(split.shoppers)}
    mine = np.isin(train.shopper, split.shoppers)
    rows = np.array([position[s] for s in train.shopper[mine]], dtype=np.int64)
    weights = train.take(mine).kind_weights(kind_weights) * decay(
        split.cutoffs[rows] - train.at[mine], config["HISTORY_HALF_LIFE_DAYS"]
    )
    history = sparse.csr_matrix(
        (weights, (rows, train.item[mine])), shape=(len(split.shoppers), count)
    )
    seen = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, train.item[mine])),
        shape=history.shape,
    )
    blend = config["BLEND"]
    hits = {name: [] for name in MODELS}
    shown = {name: set() for name in MODELS}
    for start in range(0, len(split.shoppers), SHOPPER_CHUNK):
        chunk = slice(start, start + SHOPPER_CHUNK)
        weighted = history[chunk]
        content = ((weighted @ features) @ features.T).toarray()
        together = (weighted @ co).toarray()
        everyone = np.broadcast_to(popular, content.shape)
        ranked = {
            "popularity": everyone,
            "content": content,
            "co-occurrence": together,
            "blend": blend.get("content", 0.0) * _scaled(content)
            + blend.get("cooccurrence", 0.0) * _scaled(together)
            + blend.get("popularity", 0.0) * everyone,
        }
        already = seen[chunk].toarray() > 0
        for name, scores in ranked.items():
            scores = np.where(already, -np.inf, scores)
            top = _top_k(scores, k)
            shown[name].update(top.ravel().tolist())
            for row, target in zip(top, split.targets[chunk], strict=True):
                found = np.flatnonzero(row == target)
                hits[name].append(int(found[0]) + 1 if len(found) else 0)
    results = {name: _metrics(hits[name], shown[name], count) for name in MODELS}
    return results, len(split.shoppers)


def _metrics(ranks: list[int], shown: set[int], item_count: int) -> Scores:
    ranks_array = np.array(ranks)
    found = ranks_array > 0
    gains = np.zeros(len(ranks_array))
    gains[found] = 1.0 / np.log2(ranks_array[found] + 1)
    precision = np.zeros(len(ranks_array))
    precision[found] = 1.0 / ranks_array[found]
    return Scores(
        hit_rate=float(found.mean()),
        ndcg=float(gains.mean()),
        map=float(precision.mean()),
        coverage=len(shown) / item_count,
    )


def format_table(results: Mapping[str, Scores], k: int) -> str:
    header = f"{'model':<14}{f'HR@{k}':>9}{f'NDCG@{k}':>10}{f'MAP@{k}':>9}"
    header += f"{f'cov@{k}':>9}"
    lines = [header]
    for name, scores in results.items():
        lines.append(
            f"{name:<14}{scores.hit_rate:>9.4f}{scores.ndcg:>10.4f}"
            f"{scores.map:>9.4f}{scores.coverage:>9.4f}"
        )
    return "\n".join(lines)


# Files: items CSV (id plus any of the Item attributes) and interactions CSV
# (user, item, timestamp, optional kind).
LIST_SEPARATOR = "|"
PATH_SEPARATOR = ">"


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(LIST_SEPARATOR) if part)


def _number(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def read_items_csv(path: Path) -> list[Item]:
    """Columns: id (required), title, description, category ("A > B"), gender,
    brand, colors, materials, sizes, tags ("a|b"), price, rating."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            Item(
                id=int(row["id"]),
                title=row.get("title") or "",
                description=row.get("description") or "",
                category_path=tuple(
                    part.strip()
                    for part in (row.get("category") or "").split(PATH_SEPARATOR)
                    if part.strip()
                ),
                gender=row.get("gender") or "",
                brand=row.get("brand") or "",
                colors=_list(row.get("colors")),
                materials=_list(row.get("materials")),
                sizes=_list(row.get("sizes")),
                tags=_list(row.get("tags")),
                price=_number(row.get("price")),
                rating=_number(row.get("rating")),
            )
            for row in csv.DictReader(handle)
        ]


def _timestamp(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return datetime.fromisoformat(value).timestamp()


def read_interactions_csv(path: Path, items: Sequence[Item]) -> Interactions:
    """Columns: user, item, timestamp (Unix seconds or ISO 8601), kind (optional,
    "view" when missing). Rows about unknown items are skipped."""
    rows = {item.id: row for row, item in enumerate(items)}
    users: dict[str, int] = {}
    shopper, item, kind, at = [], [], [], []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            item_id = int(row["item"])
            if item_id not in rows:
                continue
            shopper.append(users.setdefault(row["user"], len(users)))
            item.append(rows[item_id])
            kind.append(row.get("kind") or "view")
            at.append(_timestamp(row["timestamp"]))
    return Interactions(
        shopper=np.array(shopper, dtype=np.int64),
        item=np.array(item, dtype=np.int64),
        kind=np.array(kind, dtype=object),
        at=np.array(at, dtype=np.float64),
    )
