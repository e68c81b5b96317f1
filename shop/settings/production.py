"""Production: everything secret or site-specific must come from the environment."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS

from .base import *  # noqa: F403
from .base import CONTENT_SECURITY_POLICY, LOG_LEVEL, REDIS_URL
from .env import env_bool, env_int, env_str


def s3_origin(options: dict) -> str:
    """Where the bucket's files are served from, for the CSP."""
    if options["custom_domain"]:
        return f"https://{options['custom_domain']}"
    if options["endpoint_url"]:
        endpoint = urlsplit(options["endpoint_url"])
        return f"{endpoint.scheme}://{endpoint.netloc}"
    region = f".{options['region_name']}" if options["region_name"] else ""
    return f"https://{options['bucket_name']}.s3{region}.amazonaws.com"


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
# The probes, answered over plain http, are served before the redirect
# (shop.core.health.ProbesMiddleware).
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

# Product images and documents: in MEDIA_ROOT (one volume, one web replica
# unless it is shared), or in an S3-compatible bucket (django-storages).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            # Empty: AWS itself; or MinIO, Ceph, R2... at this address.
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            # Empty: boto3's own chain (a pod's IAM role, instance profile).
            "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN", "") or None,
            # Product images are public: plain URLs, which pages may cache.
            # true: a private bucket, URLs signed for an hour.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    # Pages show images from the bucket: the CSP allows its origin.
    _DIRECTIVES = CONTENT_SECURITY_POLICY["DIRECTIVES"]
    CONTENT_SECURITY_POLICY = {
        **CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {
            **_DIRECTIVES,
            "img-src": [
                *_DIRECTIVES["img-src"],
                s3_origin(STORAGES["default"]["OPTIONS"]),
            ],
        },
    }
elif MEDIA_STORAGE == "filesystem":
    SERVE_MEDIA = True
else:
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE is {MEDIA_STORAGE!r}: set it to filesystem or s3."
    )

# JSON lines on stdout, each with the request id (shop.core.logs); the Celery
# worker logs through them too instead of its own format.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "shop.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "levelname", "name", "message", "request_id"],
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            # Django's request records carry the request: its repr has the
            # query string, which may hold tokens.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
