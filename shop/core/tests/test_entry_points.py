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


def run(*args: str, **extra_env: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # Production refuses to start without a secret key of its own, a database
    # and Redis (neither is contacted here).
    env["SECRET_KEY"] = "entry-point-test-secret-key"
    env.setdefault("DATABASE_URL", "postgres://127.0.0.1:5432/unused")
    env.setdefault("REDIS_URL", settings.REDIS_URL)
    env.update(extra_env)
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
def test_servers_and_the_worker_default_to_production(module, tmp_path):
    # The servers also refuse to start without the collected static files.
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')

    report = run("-c", f"import {module}; {REPORT}", STATIC_ROOT=str(tmp_path))

    assert report == "shop.settings.production False True"


def test_the_worker_entry_point_is_the_project_app():
    snippet = "import celery_app, shop; print(celery_app.app is shop.celery_app)"

    assert run("-c", snippet) == "True"


def test_manage_py_defaults_to_dev():
    assert run("manage.py", "shell", "-c", REPORT) == "shop.settings.dev True True"
