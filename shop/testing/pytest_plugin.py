"""Fails the run at once, loudly, when PostgreSQL or Redis is not reachable.

Tests run only against the real servers; there is no fallback.
"""

import pytest


def pytest_sessionstart(session):
    import psycopg2
    import redis
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit(f"Tests need PostgreSQL, not {database['ENGINE']}.", returncode=3)
    try:
        psycopg2.connect(
            host=database["HOST"],
            port=database["PORT"] or 5432,
            user=database["USER"],
            password=database["PASSWORD"],
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as exc:
        pytest.exit(
            f"PostgreSQL is not reachable ({exc}). Run `make services`.", returncode=3
        )
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.exit(
            f"Redis is not reachable at {settings.REDIS_URL} ({exc}). "
            "Run `make services`.",
            returncode=3,
        )
    connections.close_all()
