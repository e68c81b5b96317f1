"""`make run` on the embedded default: SQLite, no Redis, eager tasks.

Every migration must apply on SQLite, not only on PostgreSQL, and bootstrap must
seed and train once, then start without redoing either.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def bootstrap(database: Path) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(database.parent / "media"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "bootstrap"],
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
    assert "Training the recommender on the demo data..." in first
    assert "(demo admin: admin@example.com / admin)" in first
    # and how to buy in the demo: a shopper, the voucher, the test cards
    assert "Demo shopper:  shopper0001@demo.example.com / demo-shopper-1" in first
    assert "Demo voucher: WELCOME10" in first
    assert "4242424242424242  success" in first
    assert "4000000000000002  declined: card_declined" in first
    assert "Seeding demo data" not in second
    assert "Training the recommender" not in second
    assert "(demo admin: admin@example.com / admin)" in second
