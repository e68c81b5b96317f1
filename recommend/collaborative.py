"""What interactions teach: popularity, co-occurrence, and the blend with content.

Like the rest of the engine this works on plain arrays: item rows are positions in
the training catalog, shoppers are small integers (users and anonymous sessions
alike), times are Unix seconds.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Interactions:
    """Interaction events as parallel arrays (one entry per event)."""

    shopper: np.ndarray  # int64 shopper number
    item: np.ndarray  # int64 item row
    kind: np.ndarray  # str kind ("view", "cart_add", "purchase", "review")
    at: np.ndarray  # float64 Unix seconds

    def __len__(self) -> int:
        return len(self.item)

    def take(self, mask: np.ndarray) -> "Interactions":
        return Interactions(
            self.shopper[mask], self.item[mask], self.kind[mask], self.at[mask]
        )

    def kind_weights(self, weights: Mapping[str, float]) -> np.ndarray:
        result = np.zeros(len(self), dtype=np.float64)
        for kind, weight in weights.items():
            result[self.kind == kind] = weight
        return result


def decay(age_seconds: np.ndarray, half_life_days: float) -> np.ndarray:
    """Halves a weight every half-life of age (future events count in full)."""
    age_days = np.maximum(age_seconds, 0.0) / SECONDS_PER_DAY
    return 0.5 ** (age_days / half_life_days)


def popularity(
    interactions: Interactions,
    item_count: int,
    now: float,
    kind_weights: Mapping[str, float],
    half_life_days: float,
) -> np.ndarray:
    """Per item row: the events' kind weights, decayed by their age."""
    weights = interactions.kind_weights(kind_weights) * decay(
        now - interactions.at, half_life_days
    )
    return np.bincount(interactions.item, weights=weights, minlength=item_count)


def shopper_item_matrix(
    interactions: Interactions, item_count: int, kind_weights: Mapping[str, float]
) -> sparse.csr_matrix:
    """Shoppers x items, each cell the strongest kind weight of their events.

    The strongest, not the sum: ten views of one product say less than a purchase.
    """
    shoppers = int(interactions.shopper.max()) + 1 if len(interactions) else 0
    weights = interactions.kind_weights(kind_weights)
    order = np.lexsort((-weights, interactions.item, interactions.shopper))
    shopper, item = interactions.shopper[order], interactions.item[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (shopper[1:] != shopper[:-1]) | (item[1:] != item[:-1])
    return sparse.csr_matrix(
        (weights[order][first], (shopper[first], item[first])),
        shape=(shoppers, item_count),
    )


def cooccurrence(
    interactions: Interactions,
    item_count: int,
    kind_weights: Mapping[str, float],
    shrink: float = 0.0,
) -> sparse.csr_matrix:
    """Item x item cosine of the shoppers' weighted interest (zero diagonal).

    "Shoppers who bought (or viewed) this also bought that": two items score high
    when the same shoppers engage strongly with both. With `shrink`, a pair seen
    together by n shoppers keeps n / (n + shrink) of its cosine, so that one
    shopper's two products do not look as related as a thousand shoppers' do.
    """
    matrix = shopper_item_matrix(interactions, item_count, kind_weights)
    counts = (matrix.T @ matrix).tocsr()
    norms = np.sqrt(counts.diagonal())
    norms[norms == 0] = 1.0
    counts.setdiag(0)
    counts.eliminate_zeros()
    scale = sparse.diags(1.0 / norms)
    cosine = (scale @ counts @ scale).tocsr()
    if shrink > 0:
        together = (matrix > 0).astype(np.float64)
        support = (together.T @ together).tocsr()
        support.data = support.data / (support.data + shrink)
        cosine = cosine.multiply(support).tocsr()
    return cosine.astype(np.float32)


def sparse_top_k(matrix: sparse.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest entries of each row: (columns, values), padded with -1 / 0."""
    rows = matrix.shape[0]
    neighbours = np.full((rows, k), -1, dtype=np.int64)
    scores = np.zeros((rows, k), dtype=np.float32)
    for row in range(rows):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            continue
        values = matrix.data[start:end]
        columns = matrix.indices[start:end]
        if len(values) > k:
            keep = np.argpartition(-values, k - 1)[:k]
            values, columns = values[keep], columns[keep]
        ranking = np.argsort(-values, kind="stable")
        neighbours[row, : len(ranking)] = columns[ranking]
        scores[row, : len(ranking)] = values[ranking]
    return neighbours, scores


def scaled_popularity(scores: np.ndarray) -> np.ndarray:
    """Popularity in [0, 1] on a log scale, so a few hits do not flatten the rest."""
    logs = np.log1p(np.maximum(scores, 0.0))
    top = logs.max() if len(logs) else 0.0
    return logs / top if top > 0 else logs


def blend_lists(
    content: tuple[np.ndarray, np.ndarray],
    cooccur: tuple[np.ndarray, np.ndarray],
    popular: np.ndarray,
    weights: Mapping[str, float],
    k: int,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the top k of content, co-occurrence and popularity blended.

    `content` and `cooccur` are (neighbours, scores) arrays for the same rows
    (padded with -1), both cosines in [0, 1]; `popular` is the scaled popularity
    of every item, also in [0, 1].
    """
    content_ids, content_scores = content
    co_ids, co_scores = cooccur
    rows = np.arange(len(content_ids)) if rows is None else rows
    neighbours = np.full((len(content_ids), k), -1, dtype=np.int64)
    scores = np.zeros((len(content_ids), k), dtype=np.float32)
    w_content = weights.get("content", 0.0)
    w_co = weights.get("cooccurrence", 0.0)
    w_pop = weights.get("popularity", 0.0)
    for position in range(len(content_ids)):
        combined: dict[int, float] = {}
        for item, score in zip(
            content_ids[position], content_scores[position], strict=True
        ):
            if item >= 0:
                combined[int(item)] = w_content * float(score)
        for item, score in zip(co_ids[position], co_scores[position], strict=True):
            if item >= 0:
                combined[int(item)] = combined.get(int(item), 0.0) + w_co * float(score)
        combined.pop(int(rows[position]), None)
        if not combined:
            continue
        items = np.fromiter(combined, dtype=np.int64, count=len(combined))
        values = np.fromiter(combined.values(), dtype=np.float64, count=len(items))
        values += w_pop * popular[items]
        best = np.argsort(-values, kind="stable")[:k]
        neighbours[position, : len(best)] = items[best]
        scores[position, : len(best)] = values[best]
    return neighbours, scores
