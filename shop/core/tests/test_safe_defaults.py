"""Production never runs on development defaults: no demo accounts, no SQLite,
no silent loss of Redis, no server without its static files."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cms.factories import ProductPageFactory
from cms.models import ProductPage

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "shop.settings.production",
    "SECRET_KEY": "a-test-key-that-is-long-enough-for-the-deploy-checks-0123456789",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    "REDIS_URL": "redis://127.0.0.1:6379/5",
}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Runs ``code`` in a new interpreter with production settings and ``env``
    (a None value unsets the variable)."""
    environment = {**os.environ, **PRODUCTION, **env}
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_bootstrap_outside_the_dev_settings_creates_no_demo_accounts_or_data():
    out = StringIO()

    call_command("bootstrap", stdout=out)

    assert get_user_model().objects.count() == 0
    assert ProductPage.objects.count() == 0
    assert out.getvalue() == (
        "Schema ready. No demo data or demo accounts (pass --demo for them); "
        "create an admin with `manage.py createsuperuser`.\n"
    )


@pytest.mark.django_db
def test_bootstrap_with_demo_creates_the_demo_admin():
    ProductPageFactory()  # a catalog exists: no seeding

    call_command("bootstrap", "--demo", stdout=StringIO())

    admin = get_user_model().objects.get()
    assert (admin.email, admin.is_superuser) == ("admin@example.com", True)
    assert admin.check_password("admin")


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"DATABASE_URL": None},
            "Set DATABASE_URL (postgres://user:password@host:5432/name): "
            "production does not fall back to the SQLite file of the development "
            "default.",
        ),
        (
            {"REDIS_URL": None},
            "Set REDIS_URL (the cache and the Celery broker), or ALLOW_NO_REDIS=true "
            "to run without Redis: the cache in the database, tasks run inside the "
            "request that queues them.",
        ),
    ],
)
def test_production_settings_refuse_to_load_without_their_services(env, message):
    result = run_python("import shop.settings.production", **env)

    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        f"django.core.exceptions.ImproperlyConfigured: {message}"
    )


def test_production_settings_run_without_redis_when_allowed():
    code = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = run_python(code, REDIS_URL=None, ALLOW_NO_REDIS="true")

    assert result.stdout == "django.core.cache.backends.db.DatabaseCache True\n"


def test_the_server_refuses_to_start_without_the_static_manifest(tmp_path):
    missing = run_python("import shop.wsgi", STATIC_ROOT=str(tmp_path))
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {}, "version": "1.1", "hash": ""})
    )
    present = run_python("import shop.wsgi", STATIC_ROOT=str(tmp_path))

    assert missing.returncode == 1
    assert missing.stderr.strip().endswith(
        "django.core.exceptions.ImproperlyConfigured: The static files manifest "
        f"{tmp_path}/staticfiles.json is missing: run `manage.py collectstatic` "
        "(with these settings) before starting the server, or every page answers "
        "500."
    )
    assert (present.returncode, present.stderr) == (0, "")


def test_the_deploy_checks_report_a_missing_static_manifest(tmp_path):
    result = run_python(
        "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', "
        "'--tag', 'staticfiles'])",
        STATIC_ROOT=str(tmp_path),
    )

    assert result.returncode == 1
    assert (
        f"?: (shop.E001) The static files manifest {tmp_path}/staticfiles.json is "
        "missing" in result.stderr
    )
