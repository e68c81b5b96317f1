"""Training benchmark of the recommender engine: time and peak memory.

    .venv/bin/python bench/recommend_train.py            # 10k and 100k, dense at 10k
    .venv/bin/python bench/recommend_train.py --sizes 10000 --workers 1

Each case runs in a fresh subprocess, so that its peak resident memory
(getrusage maxrss) is its own. A case generates a synthetic catalog in memory
with the demo generator (shop.demo.catalog: no database; generation is not
timed), then times what a retrain computes for similar products: the TF-IDF
features and the top-k similar products of every product.

- `blocked`: recommend.similarity as training runs it (nested blocks of at most
  RECOMMEND["MAX_BLOCK_SIZE"], row chunks, argpartition), in one process or in
  shards over worker processes (what Celery workers do; the shards' wall time).
- `dense`: the naive baseline, the full N x N cosine matrix then a top k per row.

The synthetic catalog's category path includes the product type (e.g.
Clothing > Tops > Polo), as a catalog of that size would have; the blocks that
result are printed with the figures.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.base")
    import django

    django.setup()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_shared = {}


def _shard(shard: int, shards: int, k: int):
    from threadpoolctl import threadpool_limits

    from recommend.similarity import shard_rows, top_k_rows

    features, labels = _shared["features"], _shared["labels"]
    rows = shard_rows(labels, shard, shards)
    # One BLAS thread per worker: the workers share the cores between them.
    with threadpool_limits(1):
        top_k_rows(features, labels, rows, k)
    return _peak_mib()


EVENTS_PER_SHOPPER = 8


def synthetic_interactions(products: int, shoppers: int):
    """Each shopper views 8 products, each a few rows on from the last one."""
    import numpy as np

    from recommend.collaborative import Interactions

    rng = np.random.default_rng(7)
    starts = rng.integers(0, products, size=shoppers)
    steps = rng.integers(1, 20, size=(shoppers, EVENTS_PER_SHOPPER))
    steps[:, 0] = 0
    items = (starts[:, None] + np.cumsum(steps, axis=1)) % products
    count = shoppers * EVENTS_PER_SHOPPER
    return Interactions(
        shopper=np.repeat(np.arange(shoppers), EVENTS_PER_SHOPPER),
        item=items.ravel().astype(np.int64),
        kind=np.full(count, "view", dtype=object),
        at=np.tile(np.arange(EVENTS_PER_SHOPPER, dtype=np.float64) * 60, shoppers)
        + np.repeat(rng.uniform(0, 30 * 86400, shoppers), EVENTS_PER_SHOPPER),
    )


def run_full(products: int, shoppers: int) -> dict:
    _setup()
    import numpy as np
    from django.conf import settings

    from recommend.training import prepare, shard_fields
    from shop.demo.items import demo_items

    config = settings.RECOMMEND
    _, items = demo_items(products, seed="bench", with_product_type=True)
    interactions = synthetic_interactions(products, shoppers)
    before = _peak_mib()
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    # As `train` runs it in one process: content neighbours computed once.
    prepared, _ = prepare(
        items,
        interactions,
        config,
        now=float(interactions.at.max()),
        all_content=True,
    )
    prepare_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fields = sum(len(chunk) for chunk in shard_fields(prepared, 0, 1, config))
    shard_seconds = time.perf_counter() - started
    return {
        "products": products,
        "method": "full",
        "workers": 1,
        "k": config["SIMILAR_K"],
        "shoppers": shoppers,
        "interactions": len(interactions),
        "fields": fields,
        "tuned": prepared.tuned,
        "terms": prepared.features.shape[1],
        "blocks": int(prepared.labels.max()) + 1,
        "largest_block": int(np.bincount(prepared.labels).max()),
        # The whole prepare step: features, blocks, collaborative lists, tuning.
        "features_seconds": round(prepare_seconds, 2),
        "similar_seconds": round(shard_seconds, 2),
        "train_seconds": round(prepare_seconds + shard_seconds, 2),
        # What the machine's other work cannot stretch (BLAS threads included).
        "train_cpu_seconds": round(_cpu_seconds() - cpu_before, 2),
        "rss_before_training_mib": round(before, 1),
        "peak_rss_mib": round(_peak_mib(), 1),
        "worker_peak_rss_mib": [],
    }


def run_case(products: int, method: str, workers: int, k: int) -> dict:
    """One case, in this process (called in the child)."""
    _setup()
    import numpy as np
    from django.conf import settings

    from recommend.features import build_features
    from recommend.similarity import dense_top_k, top_k_rows
    from recommend.training import blocks
    from shop.demo.items import demo_items

    config = settings.RECOMMEND
    started = time.perf_counter()
    _, items = demo_items(products, seed="bench", with_product_type=True)
    generated = time.perf_counter() - started
    before = _peak_mib()

    started = time.perf_counter()
    features = build_features(items, config["FIELD_WEIGHTS"])
    features_seconds = time.perf_counter() - started

    started = time.perf_counter()
    worker_peaks = []
    if method == "dense":
        sizes = [products]
        dense_top_k(features, k)
    else:
        labels = blocks(items, features, config["MAX_BLOCK_SIZE"])
        sizes = np.bincount(labels).tolist()
        if workers == 1:
            top_k_rows(features, labels, np.arange(products), k)
        else:
            _shared.update(features=features, labels=labels)
            with ProcessPoolExecutor(workers) as pool:
                worker_peaks = list(
                    pool.map(_shard, range(workers), [workers] * workers, [k] * workers)
                )
    similar_seconds = time.perf_counter() - started
    return {
        "products": products,
        "method": method,
        "workers": workers,
        "k": k,
        "terms": features.shape[1],
        "nonzeros_per_product": round(features.nnz / products, 1),
        "blocks": len(sizes),
        "largest_block": max(sizes),
        "generate_seconds": round(generated, 2),
        "features_seconds": round(features_seconds, 2),
        "similar_seconds": round(similar_seconds, 2),
        "train_seconds": round(features_seconds + similar_seconds, 2),
        "rss_before_training_mib": round(before, 1),
        "peak_rss_mib": round(_peak_mib(), 1),
        "worker_peak_rss_mib": [round(peak, 1) for peak in worker_peaks],
    }


def _child(products: int, method: str, workers: int, k: int, shoppers: int = 0) -> dict:
    answer = subprocess.run(
        [
            sys.executable,
            __file__,
            "--case",
            f"{products}:{method}:{workers}",
            "--k",
            str(k),
            "--shoppers",
            str(shoppers),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def _table(rows: list[dict]) -> str:
    lines = [
        "| products | method | workers | blocks (largest) | features (full: "
        "prepare) s | "
        "similar s | train s | peak RSS MiB |",
        "|---:|---|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        peak = row["peak_rss_mib"]
        if row["worker_peak_rss_mib"]:
            peak = f"{peak} (+ workers {max(row['worker_peak_rss_mib'])} each)"
        lines.append(
            f"| {row['products']:,} | {row['method']} | {row['workers']} | "
            f"{row['blocks']} ({row['largest_block']:,}) | "
            f"{row['features_seconds']} | {row['similar_seconds']} | "
            f"{row['train_seconds']} | {peak} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--dense-at", type=int, nargs="*", default=[10_000], help="Dense baseline."
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument(
        "--shoppers",
        type=int,
        default=20_000,
        help="Synthetic shoppers of the full-training case (0: no such case).",
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case:
        products, method, workers = options.case.split(":")
        if method == "full":
            result = run_full(int(products), options.shoppers)
        else:
            result = run_case(int(products), method, int(workers), options.k)
        print(json.dumps(result))
        return

    rows = []
    for products in options.sizes:
        if products in options.dense_at:
            rows.append(_child(products, "dense", 1, options.k))
            print(_table(rows[-1:]).splitlines()[-1], flush=True)
        for workers in options.workers:
            rows.append(_child(products, "blocked", workers, options.k))
            print(_table(rows[-1:]).splitlines()[-1], flush=True)
        if options.shoppers:
            rows.append(_child(products, "full", 1, options.k, options.shoppers))
            print(_table(rows[-1:]).splitlines()[-1], flush=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
        },
        "cases": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
    (RESULTS / f"recommend-train-{stamp}.json").write_text(json.dumps(report, indent=2))
    print()
    print(_table(rows))
    print(f"\nload average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
