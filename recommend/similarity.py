"""Top-k most similar rows of a feature matrix, without an N x N matrix.

Rows are only compared with the candidates of their own block (a blocking key per
row, for example the leaf category), so the work is the sum of the squared block
sizes instead of N squared. Within a block, rows go in chunks: one chunk's scores
against the block's candidates are a small dense array, reduced at once to the top
k with `argpartition`.

The rows of a catalog can be split into shards of equal work (`shard_rows`); each
shard is computed on its own (by a Celery task) and the results are published
together.
"""

from collections.abc import Hashable, Sequence

import numpy as np
from scipy import sparse

# A chunk's dense score array holds at most this many floats (64 MiB in float32).
CHUNK_BUDGET = 16 * 1024 * 1024
# Above this density, a block's columns are densified and multiplied by BLAS
# (which uses every core); below it the sparse product does less work.
DENSE_ABOVE = 0.02


def block_labels(keys: Sequence[Hashable]) -> np.ndarray:
    """Integer labels for blocking keys (rows with equal keys share a label)."""
    codes: dict[Hashable, int] = {}
    return np.fromiter(
        (codes.setdefault(key, len(codes)) for key in keys),
        dtype=np.int64,
        count=len(keys),
    )


def nested_blocks(keys: Sequence[tuple], max_size: int) -> np.ndarray:
    """Blocks from hierarchical keys, refined only where they are too large.

    Rows start grouped by the first key part (e.g. the top-level category); a
    block above `max_size` rows is split by the next part (the subcategory, then
    the gender, ...), so small catalogs compare widely and large ones narrowly.
    """
    labels = block_labels([key[:1] for key in keys])
    depth = 1
    while len(labels) and depth < max(len(key) for key in keys):
        depth += 1
        oversized = np.bincount(labels)[labels] > max_size
        if not oversized.any():
            break
        refined = [
            (int(label), key[:depth]) if big else (int(label),)
            for label, key, big in zip(labels, keys, oversized, strict=True)
        ]
        labels = block_labels(refined)
    return labels


def cap_blocks(
    features: sparse.csr_matrix, labels: np.ndarray, max_size: int, seed: int = 0
) -> np.ndarray:
    """Labels where no block holds more than `max_size` rows.

    An oversized block is ordered along a random direction of the feature space
    and cut into consecutive runs, so rows that land together tend to be alike;
    this bounds the work per row whatever the catalog's shape.
    """
    sizes = np.bincount(labels)
    if not len(sizes) or sizes.max() <= max_size:
        return labels
    direction = np.random.default_rng(seed).standard_normal(features.shape[1])
    projection = features @ direction.astype(np.float32)
    capped = labels.copy()
    next_label = len(sizes)
    for label in np.flatnonzero(sizes > max_size):
        members = np.flatnonzero(labels == label)
        ordered = members[np.argsort(projection[members], kind="stable")]
        runs = -(-len(members) // max_size)
        for run in np.array_split(ordered, runs)[1:]:
            capped[run] = next_label
            next_label += 1
    return capped


def shard_rows(labels: np.ndarray, shard: int, shards: int) -> np.ndarray:
    """The rows of shard `shard` of `shards`, balanced by work (sorted by block).

    A row's work is the size of its block, so shards hold equal sums of it.
    """
    if not 0 <= shard < shards:
        raise ValueError(f"shard must be in [0, {shards}), got {shard}.")
    order = np.argsort(labels, kind="stable")
    sizes = np.bincount(labels)[labels[order]].astype(np.float64)
    work = np.cumsum(sizes)
    total = work[-1] if len(work) else 0.0
    start = np.searchsorted(work, total * shard / shards, side="right")
    end = np.searchsorted(work, total * (shard + 1) / shards, side="right")
    if shard == shards - 1:
        end = len(order)
    return order[start:end]


class _Block:
    """The candidates of one block, prepared once for all its chunks."""

    def __init__(self, features: sparse.csr_matrix, members: np.ndarray):
        self.members = members
        candidates = features[members]
        self.columns = np.unique(candidates.indices)
        cells = len(members) * max(len(self.columns), 1)
        self.dense = candidates.nnz / cells > DENSE_ABOVE
        if self.dense:
            self.matrix = candidates[:, self.columns].toarray().T.copy()
        else:
            self.matrix = candidates.T.tocsr()

    def scores(self, rows: sparse.csr_matrix) -> np.ndarray:
        if self.dense:
            return rows[:, self.columns].toarray() @ self.matrix
        return (rows @ self.matrix).toarray()


def top_k_rows(
    features: sparse.csr_matrix,
    labels: np.ndarray,
    rows: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The k most similar other rows of each row in `rows`, best first.

    Returns (neighbours, scores), both shaped (len(rows), k), aligned with `rows`;
    neighbours are row numbers, padded with -1 (score 0) when a block is small.
    """
    rows = np.asarray(rows, dtype=np.int64)
    neighbours = np.full((len(rows), k), -1, dtype=np.int64)
    scores = np.zeros((len(rows), k), dtype=np.float32)
    if not len(rows) or k <= 0:
        return neighbours, scores
    features = sparse.csr_matrix(features, dtype=np.float32)
    order = np.argsort(labels[rows], kind="stable")
    boundaries = np.flatnonzero(np.diff(labels[rows][order])) + 1
    for positions in np.split(order, boundaries):
        label = labels[rows[positions[0]]]
        block = _Block(features, np.flatnonzero(labels == label))
        size = len(block.members)
        chunk = max(1, CHUNK_BUDGET // max(size, 1))
        take = min(k, size - 1)
        if take <= 0:
            continue
        for start in range(0, len(positions), chunk):
            part = positions[start : start + chunk]
            chunk_rows = rows[part]
            block_scores = block.scores(features[chunk_rows])
            # A row is never its own neighbour.
            own = np.searchsorted(block.members, chunk_rows)
            block_scores[np.arange(len(part)), own] = -np.inf
            best = np.argpartition(-block_scores, take - 1, axis=1)[:, :take]
            best_scores = np.take_along_axis(block_scores, best, axis=1)
            ranking = np.argsort(-best_scores, axis=1, kind="stable")
            best = np.take_along_axis(best, ranking, axis=1)
            neighbours[part, :take] = block.members[best]
            scores[part, :take] = np.take_along_axis(best_scores, ranking, axis=1)
    return neighbours, scores


def dense_top_k(features: sparse.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The naive baseline: the full dense N x N cosine matrix, then top k per row.

    Kept for the benchmark and as the reference the blocked version is tested
    against; never used in training.
    """
    dense = features.toarray()
    similarity = dense @ dense.T
    np.fill_diagonal(similarity, -np.inf)
    best = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    best_scores = np.take_along_axis(similarity, best, axis=1)
    ranking = np.argsort(-best_scores, axis=1, kind="stable")
    return (
        np.take_along_axis(best, ranking, axis=1),
        np.take_along_axis(best_scores, ranking, axis=1),
    )
