"""What ships the shop, tested outside a container (none can run here): the
Dockerfile and the CI workflow pass their linters (hadolint, actionlint), the
compose stack is complete, the production settings collect their static files
and pass ``check --deploy``, gunicorn's configuration loads, and the image's
entry point migrates, serves (JSON access lines with the request id, metrics
on their own port) and runs any other command as given."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

from shop.testing.ports import free_port

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "shop.settings.production",
    "SECRET_KEY": "x7Qp2vLr9sTn4wYk8zBc3dFg6hJm1nPq5rSt0uVw2xYz4aBc6dEf8gHi0jKl",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    "REDIS_URL": "redis://127.0.0.1:6379/5",
    "ALLOWED_HOSTS": "shop.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://shop.example.com",
    "TRUSTED_PROXY_COUNT": "1",
}


# Not inherited from the shell running the tests: the settings module is
# chosen per test, and the browser tests' async switch fails check --deploy.
NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def inherited_environment() -> dict:
    return {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}


def run(args, env=None, timeout=300, **kwargs):
    environment = inherited_environment()
    environment.update(env or {})
    return subprocess.run(
        args,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def entrypoint(*args, env=None, timeout=300):
    # The image's python is the venv's here; the entry point runs it as $PYTHON.
    return run(
        ["./docker-entrypoint.sh", *args],
        env={"PYTHON": str(BIN / "python"), **(env or {})},
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Static files collected with the production settings, as the image's
    build does (whitenoise's compressed manifest)."""
    root = tmp_path_factory.mktemp("static")
    result = run(
        [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env={**PRODUCTION, "STATIC_ROOT": str(root)},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root


def test_collectstatic_with_production_settings_writes_the_manifest(static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())

    assert manifest["paths"]["default/css/shop.css"].startswith("default/css/shop.")
    assert (static_root / manifest["paths"]["default/css/shop.css"]).exists()


@pytest.mark.parametrize(
    "media",
    [
        {},
        {
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "shop-media",
            "AWS_S3_REGION_NAME": "eu-west-1",
        },
    ],
    ids=["filesystem", "s3"],
)
def test_production_settings_pass_the_deploy_checks(static_root, media):
    result = run(
        [BIN / "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**PRODUCTION, **media, "STATIC_ROOT": str(static_root)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_s3_media_storage_comes_from_the_environment():
    code = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.STORAGES['default'], s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
    )
    result = run(
        [BIN / "python", "-c", f"import django; django.setup(); {code}"],
        env={
            **PRODUCTION,
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "shop-media",
            "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
        },
    )

    storage, img_src = json.loads(result.stdout)
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "shop-media",
            "endpoint_url": "https://minio.internal:9000",
            "region_name": None,
            "access_key": "key",
            "secret_key": "secret",
            "custom_domain": None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    assert img_src == ["'self'", "data:", "blob:", "https://minio.internal:9000"]


def test_an_unknown_media_storage_is_refused():
    result = run(
        [BIN / "python", "-c", "import django; django.setup()"],
        env={**PRODUCTION, "MEDIA_STORAGE": "ftp"},
    )

    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "MEDIA_STORAGE is 'ftp': set it to filesystem or s3."
    )


def test_the_gunicorn_configuration_loads(static_root):
    result = run(
        [
            BIN / "gunicorn",
            "--check-config",
            "-c",
            "deploy/gunicorn.conf.py",
            "shop.wsgi",
        ],
        env={**PRODUCTION, "STATIC_ROOT": str(static_root)},
    )

    assert (result.returncode, result.stderr) == (0, "")


def test_the_dockerfile_passes_hadolint():
    result = run([BIN / "hadolint", "Dockerfile"])

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_ci_workflow_passes_actionlint():
    result = run([BIN / "actionlint", ".github/workflows/ci.yml"])

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_image_runs_as_non_root_from_the_entry_point_with_runtime_pins():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    instructions = [line.split(" ", 1) for line in lines if line[:1].isupper()]

    assert [i[1] for i in instructions if i[0] == "FROM"] == [
        "python:3.11-slim-bookworm AS build",
        "python:3.11-slim-bookworm AS runtime",
    ]
    assert ["USER", "10001:10001"] in instructions
    assert ["WORKDIR", "/app"] in instructions
    assert ["ENTRYPOINT", '["/app/docker-entrypoint.sh"]'] in instructions
    assert ["CMD", '["web"]'] in instructions
    text = "\n".join(lines)
    assert "pip install --no-cache-dir -r /tmp/requirements/base.txt" in text
    assert "dev.txt" not in text
    assert "manage.py collectstatic --noinput" in text


def test_the_compose_stack_has_every_service_with_health_checks():
    stack = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = stack["services"]

    assert sorted(services) == ["beat", "migrate", "postgres", "redis", "web", "worker"]
    assert sorted(stack["volumes"]) == ["media", "pgdata"]
    # every long-running service says when it is healthy
    assert [name for name, s in services.items() if "healthcheck" not in s] == [
        "migrate"
    ]
    assert [
        services[n]["command"][0] for n in ("migrate", "web", "worker", "beat")
    ] == [
        "migrate",
        "web",
        "worker",
        "beat",
    ]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
        assert services[name]["read_only"] is True
        assert "media:/app/media" in services[name]["volumes"]
    assert services["migrate"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert services["web"]["ports"] == ["8000:8000", "9100:9100"]


def test_the_ci_workflow_runs_the_makefile_then_ships_main():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    jobs = workflow["jobs"]
    test_steps = [step.get("run") for step in jobs["test"]["steps"]]

    assert sorted(jobs["test"]["services"]) == ["postgres", "redis"]
    assert "make lint PYTHON=python3.11" in test_steps
    assert "make test PYTHON=python3.11" in test_steps
    assert jobs["image"]["needs"] == "test"
    assert "docker/build-push-action@v7" in [
        step.get("uses") for step in jobs["image"]["steps"]
    ]
    assert jobs["deploy"]["environment"] == "production"
    assert "refs/heads/main" in jobs["deploy"]["if"]
    assert (
        "helm upgrade --install shop charts/shop" in jobs["deploy"]["steps"][-1]["run"]
    )


def test_the_entry_point_runs_other_commands_as_given_with_production_settings():
    result = entrypoint(
        str(BIN / "python"),
        "-c",
        "import os; print(os.environ['DJANGO_SETTINGS_MODULE'])",
    )

    assert (result.returncode, result.stdout) == (0, "shop.settings.production\n")


def database_url_of_the_tests() -> str:
    return "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)


@pytest.mark.django_db
def test_the_entry_point_migrates():
    result = entrypoint(
        "migrate", env={**PRODUCTION, "DATABASE_URL": database_url_of_the_tests()}
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert "No migrations to apply." in result.stdout


def get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {seconds} s")


@pytest.mark.django_db
def test_the_entry_point_serves_the_shop_with_json_logs_and_metrics(
    static_root, tmp_path
):
    port, metrics_port = free_port(), free_port()
    log = tmp_path / "web.log"
    env = (
        inherited_environment()
        | PRODUCTION
        | {
            "PYTHON": str(BIN / "python"),
            "DATABASE_URL": database_url_of_the_tests(),
            "REDIS_URL": settings.REDIS_URL,
            "STATIC_ROOT": str(static_root),
            "PORT": str(port),
            "METRICS_PORT": str(metrics_port),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
            "WEB_CONCURRENCY": "2",
            "MEDIA_ROOT": str(tmp_path / "media"),
        }
    )
    (tmp_path / "media" / "images").mkdir(parents=True)
    (tmp_path / "media" / "images" / "boot.txt").write_text("a boot")
    public = {"X-Forwarded-Proto": "https", "Host": "shop.example.com"}
    with log.open("w") as output:
        server = subprocess.Popen(
            ["./docker-entrypoint.sh", "web"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        answers = [
            get(f"http://127.0.0.1:{port}/healthz", **{"X-Request-ID": f"probe-{n}"})
            for n in range(3)
        ]
        ready = get(f"http://127.0.0.1:{port}/readyz")
        not_here = get(f"http://127.0.0.1:{port}/metrics/", **public)
        media = get(f"http://127.0.0.1:{port}/media/images/boot.txt", **public)
        status, headers, metrics = get(f"http://127.0.0.1:{metrics_port}/metrics")
    finally:
        server.send_signal(signal.SIGTERM)
        exit_code = server.wait(timeout=90)

    assert [(s, h["X-Request-ID"], body) for s, h, body in answers] == [
        (200, f"probe-{n}", '{"status": "ok"}') for n in range(3)
    ]
    assert ready[0] == 200
    assert not_here[0] == 404
    # media on the filesystem are served by the app (no other server reads them)
    assert (media[0], media[2]) == (200, "a boot")
    # every worker's requests, added up by the master's metrics server
    assert status == 200
    assert (
        'shop_http_requests_total{method="GET",status="200",view="healthz"} 4.0'
        in metrics.splitlines()
    )
    assert "shop_http_requests_in_flight 0.0" in metrics.splitlines()
    assert "process_resident_memory_bytes" in metrics
    # stopped cleanly on SIGTERM; every line on stdout is JSON
    assert exit_code == 0
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert [
        (a["method"], a["path"], a["status"], a["request_id"]) for a in access[-6:-3]
    ] == [("GET", "/healthz", 200, f"probe-{n}") for n in range(3)]
    assert {"duration_ms", "bytes", "remote_addr", "user_agent", "time"} <= set(
        access[-1]
    )
