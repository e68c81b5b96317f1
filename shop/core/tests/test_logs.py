"""Request ids: taken from a trusted proxy or made, answered, put on every log
record of the request and of the Celery tasks it queues; production logs are
JSON lines."""

import json
import logging
import os
import re
import subprocess
import sys
import threading

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from shop.core.logs import RequestIdFilter, request_id

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
def test_a_request_gets_a_new_id_in_its_response(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_the_id_of_a_trusted_proxy_is_kept(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-7f3a.b_c-1")

    assert response["X-Request-ID"] == "edge-7f3a.b_c-1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given", ["a" * 65, "with space", "<script>", "line\nbreak", "ünicode", ""]
)
def test_an_unsafe_or_long_id_is_replaced(client, settings, given):
    settings.TRUSTED_PROXY_COUNT = 1

    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)

    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_header_is_not_believed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="client-chosen")

    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_no_id_is_left_behind_after_the_response(client):
    client.get("/healthz")

    assert request_id.get() is None


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


worker_app = Celery("logs-test", broker="memory://")
task_logger = logging.getLogger("logs-test")
task_ran = threading.Event()


@worker_app.task(name="logs-test.log")
def log_something():
    task_logger.warning("inside the task")
    task_ran.set()


def test_a_task_queued_during_a_request_logs_with_its_id():
    # A real worker (in a thread, over an in-memory broker): the id travels in
    # the task message's headers, not in this thread's context.
    handler = Records()
    task_logger.addHandler(handler)
    try:
        with start_worker(worker_app, pool="solo", perform_ping_check=False):
            token = request_id.set("req-42")
            try:
                log_something.delay()
            finally:
                request_id.reset(token)
            assert task_ran.wait(30)
    finally:
        task_logger.removeHandler(handler)

    assert [(r.getMessage(), r.request_id) for r in handler.records] == [
        ("inside the task", "req-42")
    ]
    # and the worker forgets it after the task
    assert request_id.get() is None


# A production process: its LOGGING writes JSON lines to stdout.
PRODUCTION_REQUEST = """
import sys
import django
django.setup()
from django.test import Client
response = Client().get(
    "/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="proxy-id-1", secure=True
)
print(response.status_code, response["X-Request-ID"], file=sys.stderr)
"""


@pytest.mark.django_db
def test_production_logs_are_json_lines_with_the_request_id():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.production",
        "SECRET_KEY": "a-test-key-that-is-long-enough-for-the-deploy-checks-0123",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **connection.settings_dict
        ),
        "REDIS_URL": settings.REDIS_URL,
        "ALLOWED_HOSTS": "testserver",
        "TRUSTED_PROXY_COUNT": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_REQUEST],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stderr.strip().splitlines()[-1] == "404 proxy-id-1"
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [
        (line["level"], line["logger"], line["message"], line["request_id"])
        for line in lines
    ] == [
        ("WARNING", "django.request", "Not Found: /api/v1/no-such-thing/", "proxy-id-1")
    ]
    assert sorted(lines[0]) == [
        "level",
        "logger",
        "message",
        "request_id",
        "status_code",
        "time",
    ]
