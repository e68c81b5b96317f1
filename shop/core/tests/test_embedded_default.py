"""`make run` on the embedded default: SQLite, no Redis, eager tasks.

Every migration must apply on SQLite, not only on PostgreSQL, and bootstrap must
seed and train once, then start without redoing either.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from django.conf import settings


def embedded_env(database: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(database.parent / "media"),
    }


def bootstrap(database: Path, *args) -> str:
    env = embedded_env(database)
    result = subprocess.run(
        [sys.executable, "manage.py", "bootstrap", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_bootstrap_sets_up_once_then_only_starts(tmp_path: Path):
    database = tmp_path / "db.sqlite3"

    first = bootstrap(database)
    second = bootstrap(database)

    assert "Seeding demo data (first run only)..." in first
    assert "Training the recommender (no model yet" in first
    assert "(demo admin: admin@example.com / admin)" in first
    # and how to buy in the demo: a shopper, the voucher, the test cards
    assert "Demo shopper:  shopper0001@demo.example.com / demo-shopper-1" in first
    assert "Demo voucher: WELCOME10" in first
    assert "4242424242424242  success" in first
    assert "4000000000000002  declined: card_declined" in first
    assert "Seeding demo data" not in second
    assert "Training the recommender" not in second
    assert "(demo admin: admin@example.com / admin)" in second

    # when it serves on a port something else holds
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "manage.py", "bootstrap", "--serve", "--address",
             f"127.0.0.1:{busy}"],
            cwd=settings.BASE_DIR,
            env=embedded_env(database),
            capture_output=True,
            text=True,
            timeout=600,
        )  # fmt: skip
    # then it says so and claims nothing
    assert result.returncode != 0
    assert f"127.0.0.1:{busy} is already in use" in result.stderr
    assert "Shop ready" not in result.stdout

    # when it serves on a free port
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "bootstrap", "--serve", "--address",
         f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=embedded_env(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        # then it says where once the server answers there
        ready = f"Shop ready on http://127.0.0.1:{port}/"
        assert any(ready in line for line in iter(server.stdout.readline, ""))
        products = json.load(
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/products/")
        )
        # and the API's URLs name that address
        url = products["results"][0]["url"]
        assert url.startswith(f"http://127.0.0.1:{port}/"), url
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
