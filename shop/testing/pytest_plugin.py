"""Fails the run at once, loudly (exit 3), when a collected test needs PostgreSQL
or Redis and either is not reachable.

Tests run only against the real servers; there is no fallback. Tests of pure
functions (no database, no cache) need neither, so a selection of only those
runs without the servers.
"""

import pytest

# pytest-django's fixtures that open the test database.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "admin_user",
        "admin_client",
        "django_user_model",
    }
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "services: needs PostgreSQL and Redis without using the database "
        "(implied by django_db and pytest-django's database fixtures)",
    )


def needs_services(item) -> bool:
    """Whether the test uses the database or marks itself as needing the
    servers (a test of Redis alone)."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("services"):
        return True
    return not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def pytest_collection_finish(session):
    if any(needs_services(item) for item in session.items):
        check_services()


def check_services():
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
