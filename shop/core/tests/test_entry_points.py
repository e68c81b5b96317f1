"""Each entry point picks its settings module when DJANGO_SETTINGS_MODULE is
unset: manage.py the dev settings; shop.wsgi, shop.asgi and the Celery worker's
celery_app the production ones (importing ``shop`` must not choose for them)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

# The settings module, DEBUG, and whether the Celery app is set up for Django.
REPORT = (
    "import shop; from celery.contrib.django.task import DjangoTask; "
    "from django.conf import settings; "
    "print(settings.SETTINGS_MODULE, settings.DEBUG, "
    "issubclass(shop.celery_app.Task, DjangoTask))"
)


def run(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # Production refuses to start without a secret key of its own.
    env["SECRET_KEY"] = "entry-point-test-secret-key"
    result = subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("module", ["shop.wsgi", "shop.asgi", "celery_app"])
def test_servers_and_the_worker_default_to_production(module):
    report = run("-c", f"import {module}; {REPORT}")

    assert report == "shop.settings.production False True"


def test_the_worker_entry_point_is_the_project_app():
    snippet = "import celery_app, shop; print(celery_app.app is shop.celery_app)"

    assert run("-c", snippet) == "True"


def test_manage_py_defaults_to_dev():
    assert run("manage.py", "shell", "-c", REPORT) == "shop.settings.dev True True"
