"""Production settings served over plain HTTP on loopback for the benchmark."""

from shop.settings.production import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1"]
# wrk speaks plain HTTP to 127.0.0.1; a redirect to https would measure nothing.
SECURE_SSL_REDIRECT = False
