"""The Celery worker's entry point: ``celery -A celery_app worker``.

Production settings unless ``DJANGO_SETTINGS_MODULE`` says otherwise, like
``shop.wsgi``; the application itself is ``shop.celery.app``.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")

from shop.celery import app  # noqa: E402

__all__ = ["app"]
