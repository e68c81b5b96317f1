"""Offline evaluation of what the shop serves, with full ranking.

Personal lists (`evaluate`): for every shopper with at least two distinct
products one is held out: with `split="last"` the product they came to last (by
its first event), together with everything the shopper did from that moment on;
with `split="random"` a product drawn at random, with all its events. The models
are trained on what is left (all shoppers), and each ranks the whole catalog for
the shopper, minus the products the shopper already interacted with (no sampled
negatives). Per model, averaged over the shoppers:

- HR@k: the held-out product is in the top k;
- NDCG@k: 1 / log2(rank + 1) for a hit at rank 1..k (one relevant product);
- MAP@k: 1 / rank for a hit (average precision with one relevant product);
- coverage@k: the share of the catalog that appears in any shopper's top k;

each with a bootstrap 95% interval (shoppers resampled with replacement).

The models (see `recommend.personal`):

- popularity: decayed popularity at the end of the training data;
- content, co-occurrence, next: one signal's lists alone;
- item-kNN (whole history): the classic baseline, the co-occurrence cosine
  (no shrinkage, 50 neighbours) over the whole history, every item alike;
- blend (configured): the configured PERSONAL weights and half-life, scored
  exactly as the shop serves it (each product's blended personal list);
- blend (given): the `weights` asked for, when asked;
- blend (tuned): what training would choose, tuned on a validation split of
  the same kind carved from the training data only (never the held-out
  products).

Similar products (`evaluate_similar`): for each product whose label another
product shares, the share of its top k similar products with the same label,
for a plain TF-IDF over title and description, the content model, and the
served list (content blended with co-occurrence and popularity, as training
publishes it).
"""

import csv
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from recommend.collaborative import (
    Interactions,
    blend_lists,
    cooccurrence,
    history_matrix,
    neighbour_matrix,
    popularity,
    scaled_popularity,
    sparse_top_k,
)
from recommend.features import Item, build_features
from recommend.personal import (
    Split,
    collaborative_lists,
    hold_out,
    tune,
)
from recommend.similarity import top_k_rows
from recommend.training import blocks, prepare, similar_lists

SHOPPER_CHUNK = 256
BOOTSTRAP_SAMPLES = 1000
KNN_NEIGHBOURS = 50
METRICS = ("hit_rate", "ndcg", "map", "coverage")
HEADINGS = {"hit_rate": "HR", "ndcg": "NDCG", "map": "MAP", "coverage": "cov"}
SIMILAR_METRICS = ("agreement", "coverage")


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float  # bootstrap 95% interval
    high: float

    def as_dict(self) -> dict:
        return {
            "value": round(self.value, 6),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
        }


@dataclass(frozen=True)
class ModelResult:
    name: str
    metrics: dict[str, Estimate]
    settings: dict  # weights, half-life: what the model was run with

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            **self.settings,
            "metrics": {name: value.as_dict() for name, value in self.metrics.items()},
        }


@dataclass(frozen=True)
class Report:
    models: list[ModelResult]
    protocol: dict

    def as_dict(self) -> dict:
        return {
            "protocol": self.protocol,
            "models": [model.as_dict() for model in self.models],
        }

    def model(self, name: str) -> ModelResult:
        return next(model for model in self.models if model.name == name)


def _interval(samples: np.ndarray, value: float) -> Estimate:
    """The bootstrap percentiles' spread around the resamples' mean, placed
    around `value` and kept within [0, 1] (every metric is a share): coverage
    (distinct items) shrinks in a resample with repeats, so its raw
    percentiles would sit below the value itself."""
    low, high = np.percentile(samples, [2.5, 97.5])
    centre = float(samples.mean())
    return Estimate(
        value,
        max(0.0, value - (centre - float(low))),
        min(1.0, value + (float(high) - centre)),
    )


def _bootstrap_indices(count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, count, size=(BOOTSTRAP_SAMPLES, count))


def _coverage_samples(top: np.ndarray, draws: np.ndarray, item_count: int):
    return np.array(
        [len(np.unique(top[draw])) / item_count for draw in draws], dtype=np.float64
    )


def _ranking_metrics(
    top: np.ndarray, targets: np.ndarray, item_count: int, draws: np.ndarray
) -> dict[str, Estimate]:
    """Metrics of the top-k lists `top` (one row per shopper), with intervals."""
    hits = top == targets[:, None]
    found = hits.any(axis=1)
    rank = np.argmax(hits, axis=1) + 1
    per_shopper = {
        "hit_rate": found.astype(np.float64),
        "ndcg": np.where(found, 1.0 / np.log2(rank + 1), 0.0),
        "map": np.where(found, 1.0 / rank, 0.0),
    }
    metrics = {
        name: _interval(values[draws].mean(axis=1), float(values.mean()))
        for name, values in per_shopper.items()
    }
    metrics["coverage"] = _interval(
        _coverage_samples(top, draws, item_count),
        len(np.unique(top)) / item_count,
    )
    return metrics


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Row-wise top k columns, ties to the lower column (a stable, exact order)."""
    columns = np.arange(scores.shape[1])
    return np.array(
        [np.lexsort((columns, -row))[:k] for row in scores], dtype=np.int64
    ).reshape(len(scores), min(k, scores.shape[1]))


class _Ranker:
    """Ranks the whole catalog for the evaluated shoppers of one split."""

    def __init__(self, split: Split, item_count: int, config: Mapping, k: int):
        self.split, self.count, self.config, self.k = split, item_count, config, k
        train = split.train
        mine = np.isin(train.shopper, split.shoppers)
        position = {int(s): row for row, s in enumerate(split.shoppers)}
        rows = np.fromiter(
            (position[int(s)] for s in train.shopper[mine]), np.int64, int(mine.sum())
        )
        self.seen = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, train.item[mine])),
            shape=(len(split.shoppers), item_count),
        )
        self.seen.data[:] = 1.0

    def history(self, half_life_items: float, limit: int) -> sparse.csr_matrix:
        return history_matrix(
            self.split.train,
            self.split.shoppers,
            self.count,
            self.config["KIND_WEIGHTS"],
            half_life_items,
            limit,
        )

    def top(
        self,
        history: sparse.csr_matrix | None,
        lists: sparse.csr_matrix | None,
        popular: np.ndarray,
        popularity_weight: float,
    ) -> np.ndarray:
        tops = []
        shoppers = len(self.split.shoppers)
        for start in range(0, shoppers, SHOPPER_CHUNK):
            chunk = slice(start, min(start + SHOPPER_CHUNK, shoppers))
            scores = np.zeros((chunk.stop - chunk.start, self.count))
            if history is not None:
                scores += (history[chunk] @ lists).toarray()
            scores += popularity_weight * popular
            scores[self.seen[chunk].toarray() > 0] = -np.inf
            tops.append(_top_k(scores, self.k))
        return np.vstack(tops) if tops else np.zeros((0, self.k), dtype=np.int64)


def evaluate(
    items: Sequence[Item],
    interactions: Interactions,
    config: Mapping,
    k: int = 10,
    *,
    split: str = "last",
    seed: int = 0,
    weights: Mapping[str, float] | None = None,
) -> Report:
    """Every model's metrics on one split (see the module's docstring)."""
    count = len(items)
    held = hold_out(interactions, split, seed)
    if not len(held.shoppers):
        raise ValueError("No shopper has interactions with two different products.")
    train = held.train
    ranker = _Ranker(held, count, config, k)
    draws = _bootstrap_indices(len(held.shoppers), seed)
    now = float(train.at.max()) if len(train) else 0.0

    def popular_of(data: Interactions) -> np.ndarray:
        end = float(data.at.max()) if len(data) else now
        return scaled_popularity(
            popularity(
                data,
                count,
                end,
                config["KIND_WEIGHTS"],
                config["POPULARITY_HALF_LIFE_DAYS"],
            )
        )

    popular = popular_of(train)
    features = build_features(items, config["FIELD_WEIGHTS"])
    labels = blocks(items, features, config["MAX_BLOCK_SIZE"])
    content = top_k_rows(features, labels, np.arange(count), config["SIMILAR_K"])
    co_lists, next_lists = collaborative_lists(train, count, config)
    signals = {"content": content, "cooccurrence": co_lists, "next": next_lists}
    results = []

    def add(name: str, top: np.ndarray, settings: dict) -> None:
        metrics = _ranking_metrics(top, held.targets, count, draws)
        results.append(ModelResult(name, metrics, settings))

    add("popularity", ranker.top(None, None, popular, 1.0), {})

    def blended(name: str, blend: Mapping[str, float], half_life: float) -> None:
        # Popularity is added once per candidate, not once per history item.
        lists, scores = blend_lists(
            signals, popular, {**blend, "popularity": 0.0}, config["PERSONAL_K"]
        )
        top = ranker.top(
            ranker.history(half_life, config["HISTORY_LIMIT"]),
            neighbour_matrix(lists, scores, count),
            popular,
            blend.get("popularity", 0.0),
        )
        add(name, top, {"weights": dict(blend), "half_life_items": half_life})

    half_life = config["HISTORY_HALF_LIFE_ITEMS"]
    for signal, name in (
        ("content", "content"),
        ("cooccurrence", "co-occurrence"),
        ("next", "next"),
    ):
        blended(name, {signal: 1.0}, half_life)
    knn = cooccurrence(train, count, config["KIND_WEIGHTS"], 0.0)
    knn_matrix = neighbour_matrix(*sparse_top_k(knn, KNN_NEIGHBOURS), count)
    add(
        "item-kNN (whole history)",
        ranker.top(ranker.history(0.0, count), knn_matrix, popular, 0.0),
        {"neighbours": KNN_NEIGHBOURS},
    )
    blended("blend (configured)", dict(config["PERSONAL"]), half_life)
    if weights is not None:
        blended("blend (given)", dict(weights), half_life)
    tuned = tune(
        train,
        lambda rows: (content[0][rows], content[1][rows]),
        popular_of,
        count,
        config,
        k=k,
        seed=seed,
        split=split,
    )
    blended("blend (tuned)", tuned.weights, tuned.half_life_items)
    results[-1].settings["validation"] = {
        name: value
        for name, value in tuned.as_dict().items()
        if name not in ("weights", "half_life_items")
    }
    protocol = {
        "split": split,
        "k": k,
        "seed": seed,
        "items": count,
        "interactions": len(interactions),
        "shoppers": len(held.shoppers),
        "bootstrap_samples": BOOTSTRAP_SAMPLES,
    }
    return Report(results, protocol)


def evaluate_similar(
    items: Sequence[Item],
    item_labels: Sequence[str],
    interactions: Interactions,
    config: Mapping,
    k: int = 10,
    *,
    seed: int = 0,
) -> Report:
    """Label agreement of the top-k similar products (see the module's
    docstring), with bootstrap intervals over the evaluated products."""
    count = len(items)
    label_array = np.array(item_labels, dtype=object)
    codes = {label: code for code, label in enumerate(dict.fromkeys(item_labels))}
    code = np.array([codes[label] for label in item_labels], dtype=np.int64)
    shared = np.bincount(code)[code] >= 2
    evaluated = np.flatnonzero((label_array != "") & shared)
    if not len(evaluated):
        raise ValueError("No product shares its label with another product.")
    draws = _bootstrap_indices(len(evaluated), seed)
    results = []

    def add(name: str, neighbours: np.ndarray) -> None:
        top = neighbours[evaluated, :k]
        same = (top >= 0) & (code[np.maximum(top, 0)] == code[evaluated, None])
        agreement = same.sum(axis=1) / k
        shown = np.where(top >= 0, top, count)
        metrics = {
            "agreement": _interval(
                agreement[draws].mean(axis=1), float(agreement.mean())
            ),
            "coverage": _interval(
                np.array([len(np.setdiff1d(shown[d], [count])) / count for d in draws]),
                len(np.setdiff1d(shown, [count])) / count,
            ),
        }
        results.append(ModelResult(name, metrics, {}))

    everything = np.zeros(count, dtype=np.int64)
    texts = [f"{item.title}\n{item.description}" for item in items]
    plain = TfidfVectorizer().fit_transform(texts).astype(np.float32)
    add("plain TF-IDF", top_k_rows(plain, everything, np.arange(count), k)[0])
    features = build_features(items, config["FIELD_WEIGHTS"])
    labels = blocks(items, features, config["MAX_BLOCK_SIZE"])
    content = top_k_rows(features, labels, np.arange(count), config["SIMILAR_K"])
    add("content", content[0])
    now = float(interactions.at.max()) if len(interactions) else 0.0
    prepared, _ = prepare(items, interactions, config, now)
    add("served", similar_lists(prepared, np.arange(count), config)[0])
    protocol = {
        "k": k,
        "seed": seed,
        "items": count,
        "evaluated_items": len(evaluated),
        "labels": len(codes),
        "interactions": len(interactions),
        "bootstrap_samples": BOOTSTRAP_SAMPLES,
    }
    return Report(results, protocol)


def format_table(report: Report, k: int) -> str:
    """The report as a table: each metric with its 95% interval."""
    names = list(report.models[0].metrics)
    width = max(len(model.name) for model in report.models) + 2
    header = f"{'model':<{width}}" + "".join(
        f"{f'{HEADINGS.get(name, name)}@{k}':>24}" for name in names
    )
    lines = [header]
    for model in report.models:
        cells = "".join(
            f"{f'{m.value:.4f} [{m.low:.4f}, {m.high:.4f}]':>24}"
            for m in (model.metrics[name] for name in names)
        )
        lines.append(f"{model.name:<{width}}{cells}")
    return "\n".join(lines)


# Files: an items CSV and an interactions CSV (formats in CSV_FORMATS).
LIST_SEPARATOR = "|"
PATH_SEPARATOR = ">"
CSV_FORMATS = """\
items CSV (header row; only id is required, other columns are optional):
  id           any string, unique (e.g. 42 or sku-42)
  title        text
  description  text (HTML tags are stripped), any length
  category     path from the top, "Shoes > Boots"
  gender, brand
  colors, materials, sizes, tags    lists, "red|navy"
  price, rating                     numbers
  label        (--similar) the class products should agree on; the column
               is named with --label-column
interactions CSV (header row):
  user         any string: the shopper
  item         an id from the items CSV
  timestamp    Unix seconds, or ISO 8601 ("2026-01-31T09:30:00")
  kind         optional: one of the configured kinds (view, cart_add,
               purchase, review); view when empty
"""


class CsvError(ValueError):
    """A CSV cell the evaluation cannot use; says where."""

    def __init__(self, path: Path, row: int, column: str, problem: str):
        super().__init__(f"{path.name}, row {row}, column {column!r}: {problem}")


def _rows(path: Path, required: Sequence[str]):
    """The data rows of a CSV as (row number, dict), row 1 being the header."""
    csv.field_size_limit(sys.maxsize)
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in required if name not in (reader.fieldnames or [])]
        if missing:
            raise CsvError(path, 1, missing[0], "missing from the header")
        yield from enumerate(reader, start=2)


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(
        part.strip() for part in (value or "").split(LIST_SEPARATOR) if part.strip()
    )


def _number(path: Path, number: int, row: dict, column: str) -> float | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise CsvError(path, number, column, f"{value!r} is not a number") from None


@dataclass(frozen=True)
class Catalog:
    items: list[Item]  # ids are row numbers; `keys` holds the file's ids
    keys: list[str]
    labels: list[str]  # the label column's values ("" without one)


def read_items_csv(path: Path, label_column: str | None = None) -> Catalog:
    """The items of `path` (format in CSV_FORMATS)."""
    items, keys, labels, rows = [], [], [], {}
    required = ["id"] + ([label_column] if label_column else [])
    for number, row in _rows(path, required):
        key = (row.get("id") or "").strip()
        if not key:
            raise CsvError(path, number, "id", "empty")
        if key in rows:
            raise CsvError(path, number, "id", f"{key!r} is also on row {rows[key]}")
        rows[key] = number
        items.append(
            Item(
                id=len(items),
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
                price=_number(path, number, row, "price"),
                rating=_number(path, number, row, "rating"),
            )
        )
        keys.append(key)
        labels.append((row.get(label_column) or "").strip() if label_column else "")
    return Catalog(items, keys, labels)


def _timestamp(path: Path, number: int, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise CsvError(
            path, number, "timestamp", f"{value!r} is neither Unix seconds nor ISO 8601"
        ) from None


def read_interactions_csv(
    path: Path, catalog: Catalog, kinds: Sequence[str]
) -> Interactions:
    """The interactions of `path` (format in CSV_FORMATS) on `catalog`'s items."""
    rows = {key: row for row, key in enumerate(catalog.keys)}
    users: dict[str, int] = {}
    shopper, item, kind, at = [], [], [], []
    for number, row in _rows(path, ("user", "item", "timestamp")):
        user = (row.get("user") or "").strip()
        if not user:
            raise CsvError(path, number, "user", "empty")
        key = (row.get("item") or "").strip()
        if key not in rows:
            raise CsvError(path, number, "item", f"{key!r} is not in the items CSV")
        event = (row.get("kind") or "").strip() or "view"
        if event not in kinds:
            raise CsvError(
                path, number, "kind", f"{event!r} is not one of {', '.join(kinds)}"
            )
        shopper.append(users.setdefault(user, len(users)))
        item.append(rows[key])
        kind.append(event)
        at.append(_timestamp(path, number, (row.get("timestamp") or "").strip()))
    return Interactions(
        shopper=np.array(shopper, dtype=np.int64),
        item=np.array(item, dtype=np.int64),
        kind=np.array(kind, dtype=object),
        at=np.array(at, dtype=np.float64),
    )
