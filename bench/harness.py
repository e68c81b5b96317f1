"""Serves the shop with gunicorn on PostgreSQL and measures it with wrk.

Run through bench/run, which first makes sure PostgreSQL, Redis and wrk exist.
Every figure of one run comes from the same server process, so the ratios to the
floor endpoint compare like with like on whatever machine runs it.
"""

import argparse
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LUA = BENCH / "wrk" / "report.lua"

DEFAULT_PRODUCTS = 10_000
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/shop_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
DETAIL_SAMPLE = 500
# Below this share of busy CPU the machine counts as idle.
QUIET_BUSY = 0.15


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    # Paths rotated per request (detail); empty means `path` every time.
    rotate: tuple[str, ...] = ()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument(
        "--products",
        type=int,
        default=DEFAULT_PRODUCTS,
        help="catalog size; each size has its own database (see --database-url)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds over all endpoints"
    )
    parser.add_argument(
        "--duration", type=int, default=5, help="seconds measured per round"
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds discarded, before round 1"
    )
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=120,
        help="wait at most this long for the machine to go idle before measuring",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="default: $BENCH_DATABASE_URL, else shop_bench for the default "
        "catalog size and shop_bench_<products> for any other",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="default: $BENCH_REDIS_URL, else Redis db 14; cache keys are "
        "prefixed with the database's name, so catalogs can share a Redis db",
    )
    parser.add_argument(
        "--endpoints",
        type=lambda value: [name for name in value.split(",") if name],
        default=[],
        help="comma-separated endpoint names to measure (the floor always is); "
        "default: all",
    )
    parser.add_argument(
        "--only-floor",
        action="store_true",
        help="measure the floors and /healthz only (no catalog needed)",
    )
    return parser.parse_args(argv)


def database_url_for(args: argparse.Namespace) -> str:
    if args.database_url:
        return args.database_url
    if args.products == DEFAULT_PRODUCTS:
        return DEFAULT_DATABASE
    return f"{DEFAULT_DATABASE}_{args.products}"


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def django_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        BENCH_KEY_PREFIX=database_name(database_url),
        # A throwaway key: the benchmark signs nothing that outlives it.
        SECRET_KEY=secrets.token_urlsafe(50),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def ensure_database(database_url: str) -> None:
    name = database_name(database_url)
    admin_url = urlsplit(database_url)._replace(path="/postgres").geturl()
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                print(f"Creating database {name}...")
                cursor.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                )
    finally:
        conn.close()


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def django_eval(env: dict[str, str], code: str) -> str:
    return manage(env, "shell", "--no-imports", "-c", code).strip()


def live_product_count(env: dict[str, str]) -> int:
    return int(
        django_eval(
            env,
            "from cms.models import ProductPage;"
            "print(ProductPage.objects.live().count())",
        )
    )


def ensure_catalog(env: dict[str, str], products: int, seed: int) -> int:
    count = live_product_count(env)
    if count == products:
        print(f"Catalog already holds {count} live products; not reseeding.")
        return count
    print(f"Catalog holds {count} live products; seeding {products}...")
    started = time.monotonic()
    subprocess.run(
        [
            str(PYTHON),
            "manage.py",
            "seed_demo",
            "--products",
            str(products),
            "--seed",
            str(seed),
            "--reset",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # Fresh statistics, as autovacuum would leave them on a production database.
    manage(env, "dbshell", "--", "-c", "ANALYZE")
    count = live_product_count(env)
    print(f"Seeded {count} live products in {time.monotonic() - started:.0f} s.")
    if count != products:
        raise SystemExit(f"seed_demo left {count} live products, not {products}")
    return count


def targets(env: dict[str, str], only_floor: bool, names: list[str]) -> list[Target]:
    found = [
        Target("floor", "/bench/floor"),
        Target("floor_drf", "/bench/floor-drf"),
        Target("healthz", "/healthz"),
    ]
    if not only_floor:
        found += catalog_targets(env)
    if names:
        unknown = set(names) - {target.name for target in found}
        if unknown:
            raise SystemExit(f"unknown endpoints: {', '.join(sorted(unknown))}")
        found = [t for t in found if t.name == "floor" or t.name in names]
    return found


def rotating(name: str, paths: list[str]) -> Target:
    return Target(name, paths[0], tuple(paths))


def catalog_targets(env: dict[str, str]) -> list[Target]:
    picked = json.loads(
        django_eval(env, f"from bench.samples import main; main({DETAIL_SAMPLE})")
    )
    ids = picked["product_ids"]
    for_me = "/api/v1/recommendations/for-me/?session_id="
    return [
        Target("product_list", "/api/v1/products/"),
        Target(
            "product_list_filtered", "/api/v1/products/?gender=women&ordering=price"
        ),
        rotating("product_detail", [f"/api/v1/products/{pk}/" for pk in ids]),
        rotating(
            "recommend_similar",
            [f"/api/v1/recommendations/similar/{pk}/" for pk in ids],
        ),
        Target("recommend_popular", "/api/v1/recommendations/popular/"),
        rotating("recommend_for_me", [for_me + sid for sid in picked["session_ids"]]),
        rotating("html_category", picked["category_paths"]),
        rotating("html_product", picked["product_paths"]),
    ]


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    # Production settings refuse to serve without the static manifest.
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    log = (RESULTS / f"gunicorn-{port}.log").open("w")
    return subprocess.Popen(
        [
            str(GUNICORN),
            "shop.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def get(base: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_ready(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see bench/results/gunicorn-<port>.log")
        try:
            if get(base, "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(
        "gunicorn did not become ready; see bench/results/gunicorn-<port>.log"
    )


def check_target(base: str, target: Target, parallel: int = 1) -> int:
    """Every path must answer 200 before it is timed; returns the body size.

    Each rotated path is fetched once, so caches start as full as on a shop
    that has served every page before (the measured rounds revisit them).
    """
    paths = target.rotate or (target.path,)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        answers = list(pool.map(lambda path: (path, *get(base, path)), paths))
    for path, status, body in answers:
        if status != 200:
            raise SystemExit(
                f"{target.name}: GET {path} answered {status}: {body[:300]}"
            )
    return len(answers[-1][2])


def wrk_summary(
    base: str,
    path: str,
    seconds: int,
    args: argparse.Namespace,
    *,
    script: Path = LUA,
    env: dict[str, str] | None = None,
) -> dict:
    """Runs wrk against one path and returns the JSON summary its script prints."""
    result = subprocess.run(
        [
            "wrk",
            f"--threads={args.threads}",
            f"--connections={args.connections}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={script}",
            base + path,
        ],
        env=env or dict(os.environ),
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise SystemExit(f"wrk printed no summary for {path}:\n{result.stdout}")


def wrk(base: str, target: Target, seconds: int, args: argparse.Namespace) -> dict:
    env = dict(os.environ)
    # One file per port: runs on other ports may go on at the same time.
    paths_file = RESULTS / f"paths-{base.rsplit(':', 1)[1]}.txt"
    if target.rotate:
        paths_file.write_text("\n".join(target.rotate) + "\n")
        env["BENCH_PATHS_FILE"] = str(paths_file)
    summary = wrk_summary(base, target.path, seconds, args, env=env)
    # wrk stops with requests still queued at the workers; let them finish so
    # they do not slow the next endpoint's run down.
    time.sleep(min(10, summary["latency_us"]["max"] / 1_000_000 + 0.5))
    return summary


def run_figures(raw: dict) -> dict:
    seconds = raw["duration_us"] / 1_000_000
    latency = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "latency_ms": {
            key: round(latency[key] / 1000, 2)
            for key in ("mean", "p50", "p75", "p90", "p99", "max")
        },
        "errors": raw["errors"],
    }


def aggregate(runs: dict[str, list[dict]], sizes: dict[str, int]) -> dict[str, dict]:
    """Medians over the rounds; each ratio is taken against its own round's floor.

    Pairing every run with the floor of the same round cancels most of what
    other load on the machine does to the absolute figures.
    """
    floors = [run["rps"] for run in runs["floor"]]
    results = {}
    for name, endpoint_runs in runs.items():
        ratios = sorted(
            run["rps"] / floor for run, floor in zip(endpoint_runs, floors, strict=True)
        )
        by_rps = sorted(endpoint_runs, key=lambda run: run["rps"])
        middle = by_rps[len(by_rps) // 2]
        results[name] = {
            "rps": middle["rps"],
            "rps_range": [by_rps[0]["rps"], by_rps[-1]["rps"]],
            "ratio_to_floor": round(statistics.median(ratios), 3),
            "ratio_range": [round(ratios[0], 3), round(ratios[-1], 3)],
            # Latency of the median round: wrk's histograms cannot be merged.
            "latency_ms": middle["latency_ms"],
            "requests": sum(run["requests"] for run in endpoint_runs),
            "errors": sum(sum(run["errors"].values()) for run in endpoint_runs),
            "body_bytes": sizes[name],
            "rounds": endpoint_runs,
        }
    return results


def cpu_busy(seconds: float) -> float:
    """Share of all CPUs busy over the next `seconds`, from /proc/stat."""

    def sample() -> tuple[int, int]:
        fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
        idle = fields[3] + fields[4]
        return idle, sum(fields)

    idle_before, total_before = sample()
    time.sleep(seconds)
    idle_after, total_after = sample()
    total = total_after - total_before
    return 1 - (idle_after - idle_before) / total if total else 0.0


def wait_quiet(limit: int) -> float:
    """Waits for three idle seconds in a row, at most `limit` s; returns the last."""
    deadline = time.monotonic() + limit
    quiet_in_a_row = 0
    busy = cpu_busy(1)
    while time.monotonic() < deadline:
        quiet_in_a_row = quiet_in_a_row + 1 if busy < QUIET_BUSY else 0
        if quiet_in_a_row == 3:
            return busy
        busy = cpu_busy(1)
    print(f"WARNING: machine still {busy:.0%} busy; measuring anyway.")
    return busy


def git_commit() -> str:
    """HEAD, marked +dirty when the served code had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")


def table(report: dict) -> str:
    config = report["config"]
    floor = report["results"]["floor"]
    lines = [
        f"# Benchmark {report['started_at']} (commit {report['commit']})",
        "",
        f"gunicorn {config['workers']} sync workers on 127.0.0.1; "
        f"wrk {config['threads']} threads, {config['connections']} connections; "
        f"{config['rounds']} interleaved rounds of {config['duration_s']} s per "
        f"endpoint after a {config['warmup_s']} s warm-up; {config['cpus']} CPUs; "
        f"{report['catalog_products']} live products.",
        f"Machine busy before measuring: {report['machine_busy_before']:.0%}; "
        f"load average after: {report['load_average_after'][0]}. "
        f"Floor over the rounds: {floor['rps_range'][0]:.0f}"
        f"-{floor['rps_range'][1]:.0f} req/s (spread {report['floor_spread_pct']}%).",
        "",
        "Medians over the rounds; x floor is taken against the same round's floor;",
        "latencies are those of the median round.",
        "",
        "| endpoint | req/s | req/s range | x floor | x floor range "
        "| p50 ms | p90 ms | p99 ms | errors | body B |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, figures in report["results"].items():
        latency = figures["latency_ms"]
        low, high = figures["rps_range"]
        ratio_low, ratio_high = figures["ratio_range"]
        lines.append(
            f"| {name} | {figures['rps']:.1f} | {low:.0f}-{high:.0f} "
            f"| {figures['ratio_to_floor']:.3f} | {ratio_low:.3f}-{ratio_high:.3f} "
            f"| {latency['p50']:.2f} | {latency['p90']:.2f} | {latency['p99']:.2f} "
            f"| {figures['errors']} | {figures['body_bytes']} |"
        )
    lines += ["", "Paths:", ""]
    lines += [f"- {name}: `{path}`" for name, path in report["paths"].items()]
    return "\n".join(lines) + "\n"


def build_report(
    *,
    started_at: str,
    runs: dict[str, list[dict]],
    sizes: dict[str, int],
    products: int,
    busy_before: float,
    args: argparse.Namespace,
    database_url: str,
    redis_url: str,
    paths: dict[str, str],
) -> dict:
    """The JSON record of one run: figures, machine state and configuration."""
    results = aggregate(runs, sizes)
    floor_low, floor_high = results["floor"]["rps_range"]
    return {
        "started_at": started_at,
        "commit": git_commit(),
        "catalog_products": products,
        "machine_busy_before": round(busy_before, 3),
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "floor_spread_pct": round(
            (floor_high - floor_low) / results["floor"]["rps"] * 100, 1
        ),
        "config": {
            "workers": args.workers,
            "threads": args.threads,
            "connections": args.connections,
            "rounds": args.rounds,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "database_url": database_url,
            "redis_url": redis_url,
        },
        "paths": paths,
        "results": results,
    }


def write_report(prefix: str, started_at: str, report: dict, text: str) -> None:
    """Writes the run's JSON and table, and the same as `<prefix>latest.*`."""
    for suffix, content in (
        (".json", json.dumps(report, indent=2) + "\n"),
        (".md", text),
    ):
        (RESULTS / f"{prefix}{started_at}{suffix}").write_text(content)
        (RESULTS / f"{prefix}latest{suffix}").write_text(content)
    print()
    print(text)
    print(f"Written to bench/results/{prefix}{started_at}.json and .md")


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    database_url = database_url_for(args)
    redis_url = args.redis_url
    env = django_env(database_url, redis_url)
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")

    ensure_database(database_url)
    print("Migrating...")
    manage(env, "migrate", "--noinput")
    products = live_product_count(env)
    if not args.only_floor:
        products = ensure_catalog(env, args.products, args.seed)
        print("Training the recommender (lookups read its latest version)...")
        manage(env, "recommend", "train")
    plan = targets(env, args.only_floor, args.endpoints)

    base = f"http://127.0.0.1:{args.port}"
    server = start_gunicorn(env, args.port, args.workers)
    runs: dict[str, list[dict]] = {target.name: [] for target in plan}
    try:
        wait_ready(base, server)
        sizes = {
            target.name: check_target(base, target, args.workers) for target in plan
        }
        print(f"Waiting (at most {args.quiet_wait} s) for the machine to go idle...")
        busy_before = wait_quiet(args.quiet_wait)
        for target in plan:
            print(f"Warming up {target.name} ({args.warmup} s)")
            wrk(base, target, args.warmup, args)
        for round_number in range(1, args.rounds + 1):
            for target in plan:
                figures = run_figures(wrk(base, target, args.duration, args))
                runs[target.name].append(figures)
                print(
                    f"round {round_number} {target.name}: {figures['rps']:.1f} req/s,"
                    f" p50 {figures['latency_ms']['p50']} ms,"
                    f" p99 {figures['latency_ms']['p99']} ms"
                )
    finally:
        stop_gunicorn(server)

    paths = {
        target.name: (
            f"{len(target.rotate)} paths in turn, e.g. {target.path}"
            if target.rotate
            else target.path
        )
        for target in plan
    }
    report = build_report(
        started_at=started_at,
        runs=runs,
        sizes=sizes,
        products=products,
        busy_before=busy_before,
        args=args,
        database_url=database_url,
        redis_url=redis_url,
        paths=paths,
    )
    prefix = "" if args.products == DEFAULT_PRODUCTS else f"products-{args.products}-"
    write_report(prefix, started_at, report, table(report))


if __name__ == "__main__":
    main(sys.argv[1:])
