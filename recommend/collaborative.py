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
# Rows blended at a time (bounds the temporary arrays of `blend_lists`).
BLEND_CHUNK = 8192


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
    """The k largest entries of each row: (columns, values), padded with -1 / 0;
    equal values in the order of their columns."""
    matrix = sparse.csr_matrix(matrix)
    rows = matrix.shape[0]
    neighbours = np.full((rows, k), -1, dtype=np.int64)
    scores = np.zeros((rows, k), dtype=np.float32)
    row_of = np.repeat(np.arange(rows), np.diff(matrix.indptr))
    order = np.lexsort((matrix.indices, -matrix.data, row_of))
    rank = np.arange(len(order)) - matrix.indptr[row_of[order]]
    kept = order[rank < k]
    neighbours[row_of[kept], rank[rank < k]] = matrix.indices[kept]
    scores[row_of[kept], rank[rank < k]] = matrix.data[kept]
    return neighbours, scores


def scaled_popularity(scores: np.ndarray) -> np.ndarray:
    """Popularity in [0, 1] on a log scale, so a few hits do not flatten the rest."""
    logs = np.log1p(np.maximum(scores, 0.0))
    top = logs.max() if len(logs) else 0.0
    return logs / top if top > 0 else logs


# Co-occurrence is a cosine shrunk by its support: its size says how sure it
# is, so it is blended as it is. The other signals' scales vary by catalog.
CALIBRATED_SIGNALS = frozenset({"cooccurrence"})


def scaled_rows(scores: np.ndarray) -> np.ndarray:
    """Each row divided by its largest score, so that its best is 1."""
    top = scores.max(axis=1, keepdims=True) if scores.size else scores
    return np.divide(scores, top, out=np.zeros_like(scores), where=top > 0)


def signal_scores(name: str, scores: np.ndarray) -> np.ndarray:
    """A signal's neighbour scores as blended: per row scaled to a best of 1,
    unless the signal is calibrated already."""
    scores = np.asarray(scores, dtype=np.float64)
    return scores if name in CALIBRATED_SIGNALS else scaled_rows(scores)


def blend_lists(
    signals: Mapping[str, tuple[np.ndarray, np.ndarray]],
    popular: np.ndarray,
    weights: Mapping[str, float],
    k: int,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the top k of several neighbour lists and popularity, blended.

    `signals` maps a signal's name (a key of `weights`) to (neighbours, scores)
    arrays for the same rows, padded with -1; each signal's scores are scaled
    (`signal_scores`), then weighted. `popular` is the scaled popularity of
    every item, in [0, 1], weighted by `weights["popularity"]`
    and added to every candidate. A row is never its own neighbour.
    """
    count = len(next(iter(signals.values()))[0])
    rows = np.arange(count) if rows is None else np.asarray(rows)
    neighbours = np.full((count, k), -1, dtype=np.int64)
    blended = np.zeros((count, k), dtype=np.float32)
    candidates, values = [], []
    for name, (ids, scores) in signals.items():
        weight = weights.get(name, 0.0)
        if weight > 0:
            candidates.append(np.asarray(ids, dtype=np.int64))
            values.append(weight * signal_scores(name, scores).astype(np.float32))
    if not candidates or not count or k <= 0:
        return neighbours, blended
    # In chunks of rows: the temporary arrays stay small whatever the catalog.
    for start in range(0, count, BLEND_CHUNK):
        chunk = slice(start, start + BLEND_CHUNK)
        chunk_ids, chunk_scores = _blend_rows(
            np.hstack([ids[chunk] for ids in candidates]),
            np.hstack([scores[chunk] for scores in values]),
            rows[chunk],
            popular,
            weights,
            k,
        )
        neighbours[chunk, : chunk_ids.shape[1]] = chunk_ids
        blended[chunk, : chunk_ids.shape[1]] = chunk_scores
    return neighbours, blended


def _blend_rows(ids, values, rows, popular, weights, k):
    """`blend_lists` for one chunk of rows."""
    # One row of candidates per item: sorted by id, equal ids summed into the
    # first of their run, the others (and padding, and the row itself) out.
    order = np.argsort(ids, axis=1, kind="stable")
    ids = np.take_along_axis(ids, order, axis=1)
    values = np.take_along_axis(values, order, axis=1)
    first = np.ones(ids.shape, dtype=bool)
    first[:, 1:] = ids[:, 1:] != ids[:, :-1]
    run = np.cumsum(first.ravel()) - 1
    sums = np.bincount(run, weights=values.ravel())[run].reshape(ids.shape)
    valid = first & (ids >= 0) & (ids != rows[:, None])
    sums = sums + weights.get("popularity", 0.0) * popular[np.maximum(ids, 0)]
    sums[~valid] = -np.inf
    # The best k per row, best first, equal scores in the order of their ids.
    take = min(k, ids.shape[1])
    if take < ids.shape[1]:
        best = np.argpartition(-sums, take - 1, axis=1)[:, :take]
        ids = np.take_along_axis(ids, best, axis=1)
        sums = np.take_along_axis(sums, best, axis=1)
    ranking = np.lexsort((ids, -sums), axis=1)
    ids = np.take_along_axis(ids, ranking, axis=1)
    sums = np.take_along_axis(sums, ranking, axis=1)
    found = np.isfinite(sums)
    return np.where(found, ids, -1), np.where(found, sums, 0.0)


def neighbour_matrix(
    neighbours: np.ndarray,
    scores: np.ndarray,
    item_count: int,
    items: np.ndarray | None = None,
) -> sparse.csr_matrix:
    """Padded neighbour lists as a sparse item x item matrix: one list per
    item, or per item of `items` (the others' rows empty)."""
    items = np.arange(len(neighbours)) if items is None else np.asarray(items)
    rows = np.repeat(items, neighbours.shape[1])
    columns, values = neighbours.ravel(), scores.ravel()
    kept = columns >= 0
    return sparse.csr_matrix(
        (values[kept].astype(np.float64), (rows[kept], columns[kept])),
        shape=(item_count, item_count),
    )


def touches(interactions: Interactions, *, last: bool = False) -> Interactions:
    """Each shopper's first (or `last`) event with each item, ordered by
    shopper, then time (ties by item): every shopper's distinct items in the
    order they came to them (or, with `last`, last went back to them)."""
    order = np.lexsort((interactions.item, interactions.at, interactions.shopper))
    ordered = interactions.take(order)
    width = int(ordered.item.max()) + 1 if len(ordered) else 1
    keys = ordered.shopper * width + ordered.item
    if last:
        _, from_end = np.unique(keys[::-1], return_index=True)
        chosen = len(keys) - 1 - from_end
    else:
        _, chosen = np.unique(keys, return_index=True)
    return ordered.take(np.sort(chosen))


def transitions(
    interactions: Interactions, item_count: int, window: int, gap_decay: float
) -> sparse.csr_matrix:
    """What comes next: item x item, how often j followed i in a shopper's
    sequence of distinct items, within `window` steps (a step further weighs
    `gap_decay` times less). Normalised by the square roots of i's outgoing and
    j's incoming totals, so that a blockbuster does not follow everything.
    """
    sequence = touches(interactions)
    rows, columns, values = [], [], []
    for gap in range(1, window + 1):
        same = sequence.shopper[gap:] == sequence.shopper[:-gap]
        rows.append(sequence.item[:-gap][same])
        columns.append(sequence.item[gap:][same])
        values.append(np.full(int(same.sum()), gap_decay ** (gap - 1)))
    if not rows:
        return sparse.csr_matrix((item_count, item_count), dtype=np.float32)
    counts = sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(item_count, item_count),
    )
    counts.setdiag(0)
    counts.eliminate_zeros()
    outgoing = np.asarray(counts.sum(axis=1)).ravel()
    incoming = np.asarray(counts.sum(axis=0)).ravel()
    scale_out = sparse.diags(1.0 / np.sqrt(np.maximum(outgoing, 1e-12)))
    scale_in = sparse.diags(1.0 / np.sqrt(np.maximum(incoming, 1e-12)))
    return (scale_out @ counts @ scale_in).tocsr().astype(np.float32)


def history_matrix(
    interactions: Interactions,
    shoppers: np.ndarray,
    item_count: int,
    kind_weights: Mapping[str, float],
    half_life_items: float,
    limit: int,
) -> sparse.csr_matrix:
    """`shoppers` x items: each shopper's latest `limit` distinct items (by
    their last event, as `services.for_shopper_ids` orders them), the newest
    weighing its strongest kind's weight, each older one halved every
    `half_life_items` items back (0: no recency, every item alike); rows sum to 1.

    Recency counts in items, not days: real histories come in bursts (a dozen
    ratings in a minute, then nothing for a month).
    """
    sequence = touches(interactions, last=True)
    position = {int(shopper): row for row, shopper in enumerate(shoppers)}
    mine = np.isin(sequence.shopper, shoppers)
    sequence = sequence.take(mine)
    # Strongest kind per (shopper, item) over all its events, not just the first.
    strongest = shopper_item_matrix(
        interactions.take(np.isin(interactions.shopper, shoppers)),
        item_count,
        kind_weights,
    )
    rows = np.fromiter(
        (position[int(s)] for s in sequence.shopper), np.int64, len(sequence)
    )
    # Items back from the newest: count from each shopper's end.
    ends = np.r_[np.flatnonzero(np.diff(rows)), len(rows) - 1] if len(rows) else []
    last = np.zeros(len(shoppers), dtype=np.int64)
    last[rows[ends]] = ends
    back = last[rows] - np.arange(len(rows))
    kept = back < limit
    rows, items, back = rows[kept], sequence.item[kept], back[kept]
    weights = np.asarray(strongest[sequence.shopper[kept], items]).ravel()
    if half_life_items > 0:
        weights = weights * 0.5 ** (back / half_life_items)
    matrix = sparse.csr_matrix(
        (weights, (rows, items)), shape=(len(shoppers), item_count)
    )
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    totals[totals == 0] = 1.0
    return (sparse.diags(1.0 / totals) @ matrix).tocsr()
