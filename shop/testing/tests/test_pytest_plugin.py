"""The service check applies only when a collected test needs the servers."""

import os
import subprocess
import sys

from django.conf import settings

# Nothing listens on port 1.
UNREACHABLE = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:1/unreachable",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


def run_pytest(*paths):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *paths],
        cwd=settings.BASE_DIR,
        env={**os.environ, **UNREACHABLE},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pure_function_tests_run_without_postgresql_and_redis():
    result = run_pytest("recommend/tests/test_features.py")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout


def test_a_database_test_without_postgresql_stops_the_run_loudly():
    result = run_pytest(
        "recommend/tests/test_features.py", "cms/tests/test_factories.py"
    )

    assert result.returncode == 3, result.stdout + result.stderr
    assert "PostgreSQL is not reachable" in result.stdout + result.stderr
    assert "passed" not in result.stdout
