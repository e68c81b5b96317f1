"""Test settings: real PostgreSQL and Redis, fast password hashing, in-memory email."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, redis_cache

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop")
    )
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests sign in far more often than people; throttle tests set a rate themselves.
AUTH_THROTTLE_RATE = None
SIGN_IN_FAILURE_LIMITS = {"account": None, "address": None}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
# The production cache; a longer timeout, since a loaded test machine may stall
# the shared Redis for longer than production would wait.
CACHES = {"default": redis_cache(REDIS_URL, socket_timeout=2)}
# Tests call tasks in-process; the broker is never contacted.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = True
