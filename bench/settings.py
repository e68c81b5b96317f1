"""Production settings served over plain HTTP on loopback for the benchmark."""

import os

from shop.settings.production import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1"]
# wrk speaks plain HTTP to 127.0.0.1; a redirect to https would measure nothing.
SECURE_SSL_REDIRECT = False
# Catalogs of different sizes may share a Redis db: their keys differ by prefix.
KEY_PREFIX = os.environ.get("BENCH_KEY_PREFIX", "bench")
CACHES["default"]["KEY_PREFIX"] = KEY_PREFIX  # noqa: F405
RECOMMEND["KEY_PREFIX"] = f"{KEY_PREFIX}:rec"  # noqa: F405
