"""The Celery application: configured from the Django settings (``CELERY_*``,
beat schedule included), tasks autodiscovered in the installed apps.

It chooses no settings module: the process's entry point does (``manage.py``:
dev; ``shop.wsgi``, ``shop.asgi`` and the worker's ``celery_app``: production).
"""

from celery import Celery
from celery.fixups.django import DjangoFixup


def django_fixup(app: Celery) -> DjangoFixup:
    """Celery's Django fix-up (task discovery in the installed apps, database
    connections closed around tasks), installed whatever the environment says:
    Celery's default installs it only if DJANGO_SETTINGS_MODULE is set when the
    app is created, and shop.wsgi and shop.asgi set it after importing shop."""
    return DjangoFixup(app).install()


app = Celery("shop", fixups=[django_fixup])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
