"""Training a large catalog through real Celery workers, timed until published.

    .venv/bin/python bench/recommend_workers.py                      # 1M, 2 workers
    .venv/bin/python bench/recommend_workers.py --products 100000 --workers 1
    .venv/bin/python bench/recommend_workers.py --reference          # + the 100k case

Its own database and Redis db: `BENCH_DATABASE_URL` (default
postgres://postgres@127.0.0.1:5432/shop_bench_1m) and `BENCH_REDIS_URL`
(default redis://127.0.0.1:6379/14), used as the workers' broker and store.

1. Migrates the database and, when it holds fewer live products than
   `--products`, seeds the rest with `bench/recommend_catalog.py` (a small
   `seed_demo` for the category tree first; 1M products took 18.5 min on a
   busy 2-core machine, once).
2. Starts `--workers` processes `celery -A celery_app worker --concurrency=1`
   with the benchmark's production settings (`bench.settings`) and
   `RECOMMEND_SHARDS` = the worker count, and waits until they are ready.
3. Queues `recommend.tasks.train` as beat does and times it until the store's
   current version changes (the flip of the sharded run's publish), and until
   the publish task has finished (it then saves the catalog's popularity).
4. Reads each worker's peak resident memory (VmHWM of the worker and its pool
   process, from /proc), the load average before, during (highest 1-minute
   figure sampled) and after, and the task run times from the worker logs;
   stops the workers.
5. `--reference`: also runs `bench/recommend_train.py`'s full 100k case (in
   one process, the in-memory catalog) for the 100k target.

Writes `bench/results/recommend-workers-<UTC time>.json` (git-ignored).
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shop_bench_1m"
REDIS_URL = "redis://127.0.0.1:6379/14"
READY_SECONDS = 120
FAILED = "raised unexpected"
PUBLISHED = re.compile(r"Task recommend\.tasks\.publish\[[^\]]+\] succeeded")
TASK_LINE = re.compile(r"Task (recommend\.tasks\.\w+)\[[^\]]+\] succeeded in ([\d.]+)s")


def _environment(workers: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DATABASE_URL),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", REDIS_URL),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-only-not-secret",
        "RECOMMEND_SHARDS": str(workers),
    }


def _setup(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    import django

    django.setup()


def _ensure_catalog(products: int) -> int:
    from django.core.management import call_command

    from bench.recommend_catalog import seed_catalog
    from cms.models import CategoryPage, ProductPage

    call_command("migrate", verbosity=0)
    if not CategoryPage.objects.exists():
        call_command("seed_demo", products=20, shoppers=5, verbosity=0)
    live = ProductPage.objects.live().count()
    if live < products:
        print(f"seeding {products - live:,} products", flush=True)
        seed_catalog(products - live)
    return ProductPage.objects.live().count()


def _memory(pid: int) -> dict[str, float]:
    """VmHWM (peak) and VmRSS of a process, in MiB, and its CPU seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    values = {"cpu_seconds": round((int(fields[11]) + int(fields[12])) / ticks, 1)}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = round(int(value.split()[0]) / 1024, 1)
    return values


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _start_workers(count: int, environment: dict[str, str], logs: Path):
    workers = []
    for number in range(count):
        log = logs / f"worker-{number}.log"
        workers.append(
            (
                subprocess.Popen(
                    [
                        str(ROOT / ".venv" / "bin" / "celery"),
                        "-A",
                        "celery_app",
                        "worker",
                        "--concurrency=1",
                        "--loglevel=INFO",
                        "-n",
                        f"bench-{number}@%h",
                    ],
                    cwd=ROOT,
                    env=environment,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        )
    deadline = time.monotonic() + READY_SECONDS
    while not all(" ready." in log.read_text() for _, log in workers):
        if time.monotonic() > deadline:
            raise SystemExit(f"workers not ready after {READY_SECONDS} s: see {logs}")
        time.sleep(0.5)
    return workers


def run(products: int, workers: int, timeout: float) -> dict:
    environment = _environment(workers)
    _setup(environment)
    live = _ensure_catalog(products)

    from recommend import tasks
    from recommend.models import Interaction
    from recommend.store import get_store
    from shop.celery import app

    logs = RESULTS / "recommend-workers-logs"
    logs.mkdir(parents=True, exist_ok=True)
    app.control.purge()
    processes = _start_workers(workers, environment, logs)
    try:
        store = get_store()
        before = store.current()
        load_before = os.getloadavg()
        peak_load = load_before[0]
        started = time.perf_counter()
        tasks.train.delay()
        while store.current() == before:
            time.sleep(0.5)
            peak_load = max(peak_load, os.getloadavg()[0])
            failed = [log for _, log in processes if FAILED in log.read_text()]
            if failed or time.perf_counter() - started > timeout:
                raise SystemExit(f"training failed or timed out: see {logs}")
        seconds = time.perf_counter() - started
        version = store.current()
        # Publishing goes on with the catalog's popularity: the run ends there.
        while not any(PUBLISHED.search(log.read_text()) for _, log in processes):
            time.sleep(0.5)
        finished = time.perf_counter() - started
        memory = [
            {
                "worker": _memory(process.pid),
                "pool": [_memory(child) for child in _children(process.pid)],
            }
            for process, _ in processes
        ]
    finally:
        for process, _ in processes:
            process.send_signal(signal.SIGTERM)
        for process, _ in processes:
            process.wait(timeout=60)
    task_seconds = [
        [
            {"task": name, "seconds": float(value)}
            for name, value in TASK_LINE.findall(log.read_text())
        ]
        for _, log in processes
    ]
    model = json.loads(store.read(["model"])[1][0] or "{}")
    return {
        "products": live,
        "interactions": Interaction.objects.count(),
        "workers": workers,
        "shards": workers,
        "version": version,
        "wall_seconds_to_publish": round(seconds, 1),
        "wall_seconds_to_end": round(finished, 1),
        "peak_mib_per_worker": [
            max([entry["worker"]["VmHWM"], *(pool["VmHWM"] for pool in entry["pool"])])
            for entry in memory
        ],
        "memory_mib": memory,
        "tasks": task_seconds,
        "load_before": load_before,
        "load_peak_1min": peak_load,
        "load_after": os.getloadavg(),
        "tuned": model.get("tuned"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--reference",
        action="store_true",
        help="Also run bench/recommend_train.py's full 100k case (one process).",
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="Give up after this many s."
    )
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds")}
    report["cpus"] = os.cpu_count()
    if options.reference:
        from bench.recommend_train import _child

        report["reference_100k"] = _child(100_000, "full", 1, 20, 20_000)
        print(json.dumps(report["reference_100k"]), flush=True)
    report["run"] = run(options.products, options.workers, options.timeout)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
    (RESULTS / f"recommend-workers-{stamp}.json").write_text(
        json.dumps(report, indent=2)
    )
    print(json.dumps(report["run"], indent=2))


if __name__ == "__main__":
    main()
