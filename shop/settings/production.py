"""Production: everything secret or site-specific must come from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_URL
from .env import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")

# Production never falls back to the embedded defaults of `make run`.
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "Set DATABASE_URL (postgres://user:password@host:5432/name): production "
        "does not fall back to the SQLite file of the development default."
    )
if not REDIS_URL and not env_bool("ALLOW_NO_REDIS", False):
    raise ImproperlyConfigured(
        "Set REDIS_URL (the cache and the Celery broker), or ALLOW_NO_REDIS=true "
        "to run without Redis: the cache in the database, tasks run inside the "
        "request that queues them."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Probes hit the pod over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
