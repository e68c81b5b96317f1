"""Purchase benchmark: add-to-cart and checkout completion under gunicorn on
PostgreSQL, next to the floor endpoints measured in the same rounds.

    .venv/bin/python -m bench.purchase [--checkouts 4000] [--duration 5] ...

Uses the harness's database set-up, gunicorn and report table (see
bench/README.md), with its own database (``BENCH_PURCHASE_DATABASE_URL``,
default ``shop_purchase_bench``; Redis db 13) and port 8741, so it never
disturbs a catalog benchmark. Before serving it configures the shipping, tax
and dummy payment plugins and prepares, in bulk: signed-in shoppers with API
tokens, and checkouts ready to complete (2 lines each, addresses, shipping).

- add_to_cart: ``POST /api/v1/cart/lines/`` (one unit of a random variant)
  spread over 400 shoppers' carts;
- checkout_complete: ``POST /api/v1/checkouts/<token>/complete/`` with the
  dummy gateway's success card; every request completes a different
  checkout (each run gets its own, so none is a replay of an earlier one).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

from bench import harness

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shop_purchase_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
REQUESTS_LUA = harness.BENCH / "wrk" / "requests.lua"
CART_SHOPPERS = 400
CART_REQUESTS = 20_000
VARIANTS = 200
SUCCESS_CARD = "4242424242424242"
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_address_1": "1 Main St",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="bench.purchase", description=__doc__)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--checkouts", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--quiet-wait", type=int, default=60)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def request_line(method, path, token, key="", body=None) -> str:
    return "\t".join([method, path, token, key, json.dumps(body or {})])


def prepare(out: Path, checkouts: int, runs: int) -> None:
    """Runs inside Django (a subprocess): writes the request files."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from cms.models import Variant
    from shop.accounts.models import User
    from shop.cart.models import Cart, CartLine
    from shop.checkout.models import Checkout
    from shop.plugins.manager import invalidate_plugins_manager
    from shop.plugins.services import save_plugin_configuration
    from shop.stock.models import Stock

    methods = [
        {
            "id": "standard",
            "name": "Standard",
            "countries": "*",
            "bands": [{"max_kg": None, "price": "5.00"}],
        }
    ]
    for plugin_id, changes in {
        "shipping-rates": {"methods": json.dumps(methods)},
        "flat-rate-taxes": {"rates": "DE=19", "default_rate": "0"},
        "dummy-payment": {},
    }.items():
        save_plugin_configuration(plugin_id, active=True, changes=changes)
    invalidate_plugins_manager()

    variant_ids = list(
        Variant.objects.filter(
            is_active=True, product__live=True, currency=settings.DEFAULT_CURRENCY
        )
        .order_by("id")
        .values_list("id", flat=True)[:VARIANTS]
    )
    Stock.objects.bulk_create(
        [Stock(variant_id=pk) for pk in variant_ids], ignore_conflicts=True
    )
    Stock.objects.filter(variant_id__in=variant_ids).update(
        quantity=10**9, quantity_allocated=0
    )
    run = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    password = make_password(None)
    emails = [f"bench-{run}-{i}@example.com" for i in range(CART_SHOPPERS + checkouts)]
    users = User.objects.bulk_create(
        User(email=email, username=email, password=password) for email in emails
    )
    tokens = Token.objects.bulk_create(
        Token(user=user, key=Token.generate_key()) for user in users
    )
    rng = random.Random(42)
    cart_tokens = [token.key for token in tokens[:CART_SHOPPERS]]
    (out / "add_to_cart.tsv").write_text(
        "\n".join(
            request_line(
                "POST",
                "/api/v1/cart/lines/",
                rng.choice(cart_tokens),
                body={"variant_id": rng.choice(variant_ids), "quantity": 1},
            )
            for _ in range(CART_REQUESTS)
        )
        + "\n"
    )
    buyers = users[CART_SHOPPERS:]
    carts = Cart.objects.bulk_create(Cart(user=user) for user in buyers)
    CartLine.objects.bulk_create(
        CartLine(cart=cart, variant_id=variant_id, quantity=1)
        for cart in carts
        for variant_id in rng.sample(variant_ids, 2)
    )
    placed = Checkout.objects.bulk_create(
        Checkout(
            cart=cart,
            user=user,
            email=user.email,
            shipping_address=ADDRESS,
            billing_address=ADDRESS,
            shipping_method_id="shipping-rates:standard",
            currency=settings.DEFAULT_CURRENCY,
        )
        for cart, user in zip(carts, buyers, strict=True)
    )
    body = {"gateway": "dummy-payment", "payment_token": SUCCESS_CARD}
    lines = [
        request_line(
            "POST",
            f"/api/v1/checkouts/{checkout.token}/complete/",
            token.key,
            key=str(checkout.token),
            body=body,
        )
        for checkout, token in zip(placed, tokens[CART_SHOPPERS:], strict=True)
    ]
    # One file per wrk run (check, warm-up, rounds): no checkout is sent twice.
    share = len(lines) // runs
    for index in range(runs):
        chunk = lines[index * share : (index + 1) * share]
        (out / f"checkout_complete_{index}.tsv").write_text("\n".join(chunk) + "\n")


def run_wrk(base, path, seconds, args, requests_file=None) -> dict:
    env = dict(os.environ)
    script = harness.LUA
    if requests_file is not None:
        script = REQUESTS_LUA
        env.update(
            BENCH_REQUESTS_FILE=str(requests_file),
            BENCH_REPORT_LUA=str(harness.LUA),
            BENCH_THREADS=str(args.threads),
        )
    return harness.wrk_summary(base, path, seconds, args, script=script, env=env)


def send_first(base: str, requests_file: Path) -> int:
    """Sends a file's first request; it must succeed. Returns the body size."""
    method, path, token, key, body = (
        requests_file.read_text().splitlines()[0].split("\t", 4)
    )
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(
        base + path, data=body.encode(), headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return len(response.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(
            f"{method} {path} answered {error.code}: {error.read()[:300]}"
        ) from None


def count_orders(database_url: str) -> int:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_order")
        return cursor.fetchone()[0]


def main(argv):
    args = parse_args(argv)
    if args.prepare:
        prepare(args.prepare, args.checkouts, args.rounds + 2)
        return
    harness.RESULTS.mkdir(exist_ok=True)
    work = harness.RESULTS / "purchase"
    work.mkdir(exist_ok=True)
    for stale in work.glob("*.tsv"):
        stale.unlink()
    database_url = os.environ.get("BENCH_PURCHASE_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_PURCHASE_REDIS_URL", DEFAULT_REDIS_URL)
    env = harness.django_env(database_url, redis_url)
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")

    harness.ensure_database(database_url)
    print("Migrating...")
    harness.manage(env, "migrate", "--noinput")
    products = harness.ensure_catalog(env, args.products, 42)
    print(f"Preparing shoppers and {args.checkouts} checkouts...")
    subprocess.run(
        [
            str(harness.PYTHON),
            "-m",
            "bench.purchase",
            "--prepare",
            str(work),
            "--checkouts",
            str(args.checkouts),
            "--rounds",
            str(args.rounds),
        ],
        cwd=harness.ROOT,
        env=env,
        check=True,
    )
    cart_file = work / "add_to_cart.tsv"
    complete_files = sorted(work.glob("checkout_complete_*.tsv"))

    base = f"http://127.0.0.1:{args.port}"
    server = harness.start_gunicorn(env, args.port, args.workers)
    names = ["floor", "floor_drf", "add_to_cart", "checkout_complete"]
    runs = {name: [] for name in names}
    placed = []
    try:
        harness.wait_ready(base, server)
        sizes = {
            "floor": harness.check_target(
                base, harness.Target("floor", "/bench/floor")
            ),
            "floor_drf": harness.check_target(
                base, harness.Target("floor_drf", "/bench/floor-drf")
            ),
            "add_to_cart": send_first(base, cart_file),
            "checkout_complete": send_first(base, complete_files[0]),
        }
        print(f"Waiting (at most {args.quiet_wait} s) for the machine to go idle...")
        busy_before = harness.wait_quiet(args.quiet_wait)

        def measure(name, seconds, round_index):
            if name == "floor":
                return run_wrk(base, "/bench/floor", seconds, args)
            if name == "floor_drf":
                return run_wrk(base, "/bench/floor-drf", seconds, args)
            if name == "add_to_cart":
                return run_wrk(base, "/", seconds, args, cart_file)
            before = count_orders(database_url)
            raw = run_wrk(base, "/", seconds, args, complete_files[round_index + 1])
            time.sleep(2)
            placed.append(count_orders(database_url) - before)
            return raw

        print(f"Warming up ({args.warmup} s each)")
        for name in names:
            measure(name, args.warmup, 0)
        placed.clear()
        for round_number in range(1, args.rounds + 1):
            for name in names:
                figures = harness.run_figures(
                    measure(name, args.duration, round_number)
                )
                runs[name].append(figures)
                print(
                    f"round {round_number} {name}: {figures['rps']:.1f} req/s,"
                    f" p50 {figures['latency_ms']['p50']} ms,"
                    f" p99 {figures['latency_ms']['p99']} ms"
                )
    finally:
        harness.stop_gunicorn(server)

    report = harness.build_report(
        started_at=started_at,
        runs=runs,
        sizes=sizes,
        products=products,
        busy_before=busy_before,
        args=args,
        database_url=database_url,
        redis_url=redis_url,
        paths={
            "floor": "/bench/floor",
            "floor_drf": "/bench/floor-drf",
            "add_to_cart": f"POST /api/v1/cart/lines/ over {CART_SHOPPERS} carts "
            f"and {VARIANTS} variants",
            "checkout_complete": "POST /api/v1/checkouts/<token>/complete/ "
            "(2 lines, dummy gateway), a new checkout each time",
        },
    )
    report["orders_placed_per_round"] = placed
    text = harness.table(report) + (
        f"\nOrders placed per round: {placed} "
        f"(completion requests: {[r['requests'] for r in runs['checkout_complete']]})\n"
    )
    harness.write_report("purchase-", started_at, report, text)


if __name__ == "__main__":
    main(sys.argv[1:])
