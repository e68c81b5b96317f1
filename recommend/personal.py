"""Personal recommendations: signals per item, a shopper's recency-weighted
history over them, and the blend weights tuned on the shop's own data.

A product's *personal list* is the blend (`collaborative.blend_lists`) of three
neighbour lists: content (similar products), co-occurrence (bought or viewed by
the same shoppers) and next (what shoppers went on to after it). A shopper's
candidates score the history-weighted mean of their history items' personal
lists, plus the popularity weight times the scaled popularity; the history
weighs the newest item most (`collaborative.history_matrix`).

`tune` chooses the blend weights and the history half-life on a validation
split carved from the training interactions (each shopper's last new item, as
the offline evaluation does), by coordinate ascent over a small grid of values.
"""

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from recommend.collaborative import (
    Interactions,
    cooccurrence,
    history_matrix,
    neighbour_matrix,
    signal_scores,
    sparse_top_k,
    transitions,
)

SIGNALS = ("content", "cooccurrence", "next")
WEIGHT_NAMES = (*SIGNALS, "popularity")
# Values tried per weight and for the half-life (in items; 0: no recency).
WEIGHT_GRID = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0)
HALF_LIFE_GRID = (0.0, 1.0, 2.0, 3.0, 5.0, 10.0)
TUNING_ROUNDS = 2


@dataclass(frozen=True)
class Split:
    train: Interactions
    shoppers: np.ndarray  # the evaluated shoppers
    targets: np.ndarray  # their held-out item rows
    cutoffs: np.ndarray  # the moment each target was first touched


def leave_last_out(interactions: Interactions) -> Split:
    """Per shopper with two distinct items or more: the item they came to last
    (by its first event) is held out, with everything from that moment on."""
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


def random_out(interactions: Interactions, seed: int) -> Split:
    """Per shopper with two distinct items or more: one of them, drawn at
    random (with `seed`), is held out with all its events; the rest, before
    and after it, is training data."""
    width = int(interactions.item.max()) + 1 if len(interactions) else 1
    keys = interactions.shopper * width + interactions.item
    pairs = np.unique(keys)
    owners = pairs // width
    starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0])
    sizes = np.diff(np.r_[starts, len(pairs)])
    rng = np.random.default_rng(seed)
    eligible = sizes >= 2
    held = pairs[starts[eligible] + rng.integers(sizes[eligible])]
    out = np.isin(keys, held)
    shoppers = held // width
    cutoffs = np.full(len(held), np.inf)
    np.minimum.at(cutoffs, np.searchsorted(held, keys[out]), interactions.at[out])
    return Split(
        train=interactions.take(~out),
        shoppers=shoppers.astype(np.int64),
        targets=(held % width).astype(np.int64),
        cutoffs=cutoffs,
    )


def collaborative_lists(
    interactions: Interactions,
    item_count: int,
    config: Mapping,
    rows: np.ndarray | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Co-occurrence and next lists, PERSONAL_K long, of every item row or of
    `rows` (aligned with them)."""
    k = config["PERSONAL_K"]
    co = cooccurrence(
        interactions,
        item_count,
        config["KIND_WEIGHTS"],
        config["COOCCURRENCE_SHRINK"],
    )
    following = transitions(
        interactions, item_count, config["NEXT_WINDOW"], config["NEXT_GAP_DECAY"]
    )
    if rows is not None:
        co, following = co[rows], following[rows]
    return sparse_top_k(co, k), sparse_top_k(following, k)


def history(
    interactions: Interactions,
    shoppers: np.ndarray,
    item_count: int,
    config: Mapping,
    half_life_items: float,
) -> sparse.csr_matrix:
    return history_matrix(
        interactions,
        shoppers,
        item_count,
        config["KIND_WEIGHTS"],
        half_life_items,
        config["HISTORY_LIMIT"],
    )


def _blended_matrix(
    name: str, lists: tuple[np.ndarray, np.ndarray], count: int, rows: np.ndarray
):
    neighbours, scores = lists
    return neighbour_matrix(neighbours, signal_scores(name, scores), count, rows)


def hold_out(interactions: Interactions, split: str, seed: int) -> Split:
    """`leave_last_out` (split "last") or `random_out` (split "random")."""
    if split == "last":
        return leave_last_out(interactions)
    if split == "random":
        return random_out(interactions, seed)
    raise ValueError(f"Unknown split {split!r}: use last or random.")


@dataclass(frozen=True)
class Candidates:
    """The validation shoppers' scored candidates, one entry per (shopper,
    item) that any signal scores or the shopper has seen, in key order
    (shopper row * item count + item): each signal's score per entry."""

    keys: np.ndarray
    signals: dict[str, np.ndarray]
    seen: np.ndarray  # bool per entry
    item_count: int

    @classmethod
    def build(
        cls,
        history: sparse.csr_matrix,
        matrices: Mapping[str, sparse.csr_matrix],
    ) -> "Candidates":
        count = history.shape[1]

        def keyed(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
            """Row-major keys (sorted) and values of the non-zero entries."""
            matrix = sparse.csr_matrix(matrix)
            matrix.eliminate_zeros()
            matrix.sum_duplicates()  # also sorts each row's columns
            rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
            return rows * count + matrix.indices, matrix.data

        history = sparse.csr_matrix(history)
        history.eliminate_zeros()
        scored = {name: history @ matrix for name, matrix in matrices.items()}
        # The union of every entry, by sparse addition (no sort of all keys).
        union = abs(history)
        for matrix in scored.values():
            union = union + abs(matrix)
        keys, _ = keyed(union)
        signals = {}
        for name, matrix in scored.items():
            signal_keys, values = keyed(matrix)
            aligned = np.zeros(len(keys), dtype=np.float32)
            aligned[np.searchsorted(keys, signal_keys)] = values
            signals[name] = aligned
        seen_keys, _ = keyed(history)
        seen = np.zeros(len(keys), dtype=bool)
        seen[np.searchsorted(keys, seen_keys)] = True
        return cls(keys, signals, seen, count)

    def ranks(
        self,
        weights: Mapping[str, float],
        popular: np.ndarray,
        targets: np.ndarray,
    ) -> np.ndarray:
        """The 1-based rank of each shopper's target among the items they have
        not seen, an item scoring its weighted signals plus the popularity
        weight times its popularity. Ties count half (the expected rank in a
        random order of the tied)."""
        count, shoppers = self.item_count, len(targets)
        bonus = weights.get("popularity", 0.0) * popular
        row, item = self.keys // count, self.keys % count
        values = bonus[item].copy()
        for name, aligned in self.signals.items():
            if weights.get(name, 0.0) > 0:
                values += weights[name] * aligned
        target_keys = np.arange(shoppers) * count + targets
        position = np.minimum(
            np.searchsorted(self.keys, target_keys), len(self.keys) - 1
        )
        listed = self.keys[position] == target_keys if len(self.keys) else targets < 0
        target_scores = np.where(listed, values[position], bonus[targets])
        threshold = target_scores[row]
        rival = ~self.seen & (self.keys != target_keys[row])
        better = np.bincount(row[rival & (values > threshold)], minlength=shoppers)
        tied = np.bincount(row[rival & (values == threshold)], minlength=shoppers)
        # Items without an entry score their popularity alone.
        ordered = np.sort(bonus)
        over = count - np.searchsorted(ordered, target_scores, side="right")
        level = count - np.searchsorted(ordered, target_scores, side="left") - over
        entry_bonus = bonus[item]
        over -= np.bincount(row[entry_bonus > threshold], minlength=shoppers)
        level -= np.bincount(row[entry_bonus == threshold], minlength=shoppers)
        level -= (~listed).astype(np.int64)  # the target itself
        return 1.0 + better + over + 0.5 * (tied + np.maximum(level, 0))


def ndcg(found_ranks: np.ndarray, k: int) -> float:
    gains = np.where(found_ranks <= k, 1.0 / np.log2(found_ranks + 1), 0.0)
    return float(gains.mean()) if len(gains) else 0.0


@dataclass(frozen=True)
class Tuned:
    weights: dict[str, float]
    half_life_items: float
    score: float  # validation NDCG@k of the chosen values
    default_score: float  # ... and of the configured defaults
    shoppers: int  # validation shoppers
    tuned: bool  # False: too little data, the defaults are used

    def as_dict(self) -> dict:
        return {
            "weights": self.weights,
            "half_life_items": self.half_life_items,
            "validation_ndcg": round(self.score, 6),
            "default_validation_ndcg": round(self.default_score, 6),
            "validation_shoppers": self.shoppers,
            "tuned": self.tuned,
        }


def defaults(config: Mapping, shoppers: int = 0) -> Tuned:
    return Tuned(
        weights=dict(config["PERSONAL"]),
        half_life_items=config["HISTORY_HALF_LIFE_ITEMS"],
        score=0.0,
        default_score=0.0,
        shoppers=shoppers,
        tuned=False,
    )


def tune(
    interactions: Interactions,
    content_for: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None,
    popular_of: Callable[[Interactions], np.ndarray],
    item_count: int,
    config: Mapping,
    k: int = 10,
    seed: int = 0,
    split: str = "last",
) -> Tuned:
    """The blend weights and history half-life that rank each validation
    shopper's last new item best (NDCG@k), on signals rebuilt from the rest.

    `content_for(rows)` gives the content neighbours of the item `rows`,
    aligned with them (None: content left out); `popular_of(interactions)`
    gives the scaled popularity of a training set.
    The validation split is of the kind `split` names (the shop serves what
    comes next: training uses "last"). At most TUNE_MAX_SHOPPERS validation
    shoppers (drawn with `seed`); with fewer than TUNE_MIN_SHOPPERS the
    configured defaults are returned.
    """
    split = hold_out(interactions, split, seed)
    if len(split.shoppers) < config["TUNE_MIN_SHOPPERS"]:
        return defaults(config, len(split.shoppers))
    if len(split.shoppers) > config["TUNE_MAX_SHOPPERS"]:
        chosen = np.random.default_rng(seed).choice(
            len(split.shoppers), config["TUNE_MAX_SHOPPERS"], replace=False
        )
        chosen.sort()
        split = Split(
            split.train,
            split.shoppers[chosen],
            split.targets[chosen],
            split.cutoffs[chosen],
        )
    # Scores reach a shopper only through the items of their history: only
    # those items' lists are built (a few thousand rows, not the catalog).
    in_histories = np.isin(split.train.shopper, split.shoppers)
    rows = np.unique(split.train.item[in_histories])
    signal_lists = dict(
        zip(
            ("cooccurrence", "next"),
            collaborative_lists(split.train, item_count, config, rows),
            strict=True,
        )
    )
    if content_for is not None:
        signal_lists["content"] = content_for(rows)
    matrices = {
        name: _blended_matrix(name, signal_lists.pop(name), item_count, rows)
        for name in list(signal_lists)
    }
    popular = popular_of(split.train)

    # Two half-lives at most in memory: the best so far and the one tried.
    @functools.lru_cache(maxsize=2)
    def candidates(half_life: float) -> Candidates:
        return Candidates.build(
            history(split.train, split.shoppers, item_count, config, half_life),
            matrices,
        )

    def score(weights: Mapping[str, float], half_life: float) -> float:
        found = candidates(half_life).ranks(weights, popular, split.targets)
        return ndcg(found, k)

    start = defaults(config)
    best_weights = {name: float(start.weights.get(name, 0.0)) for name in WEIGHT_NAMES}
    if content_for is None:
        best_weights["content"] = 0.0
    best_half_life = float(start.half_life_items)
    default_score = best = score(best_weights, best_half_life)
    names = [name for name in WEIGHT_NAMES if name in matrices or name == "popularity"]
    for _ in range(TUNING_ROUNDS):
        improved = False
        for half_life in HALF_LIFE_GRID:
            value = score(best_weights, half_life)
            if value > best:
                best, best_half_life, improved = value, half_life, True
        for name in names:
            for weight in WEIGHT_GRID:
                trial = {**best_weights, name: weight}
                if not any(trial[signal] > 0 for signal in SIGNALS):
                    continue
                value = score(trial, best_half_life)
                if value > best:
                    best, best_weights, improved = value, trial, True
        if not improved:
            break
    return Tuned(
        weights=best_weights,
        half_life_items=best_half_life,
        score=best,
        default_score=default_score,
        shoppers=len(split.shoppers),
        tuned=True,
    )
