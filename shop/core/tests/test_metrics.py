"""Prometheus metrics: counted per view name (never per raw path), served by
their own server on their own port, and not by the application's URLs."""

import urllib.request
import uuid
from decimal import Decimal

import pytest
from celery import Celery
from prometheus_client import REGISTRY

from cms.factories import VariantFactory
from shop.checkout import services as checkout_services
from shop.checkout.factories import DECLINED_CARD, SUCCESS_CARD, make_checkout
from shop.core.metrics import start_metrics_server
from shop.testing.ports import free_port

# An app of its own: the metrics come from Celery's signals, whatever the app.
app = Celery("metrics-test", broker="memory://")
app.conf.task_always_eager = True
# Failures are recorded, as in a worker, instead of raised.
app.conf.task_eager_propagates = False


@app.task(name="metrics-test.add")
def add(a, b):
    return a + b


@app.task(name="metrics-test.fail")
def fail():
    raise ValueError("no")


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_a_request_is_counted_and_timed_by_view_name(client):
    labels = {"method": "GET", "view": "readyz", "status": "200"}
    before = (
        sample("shop_http_requests_total", **labels),
        sample("shop_http_request_duration_seconds_count", **labels),
        sample("shop_http_request_db_queries_bucket", view="readyz", le="1.0"),
        sample("shop_http_request_db_queries_bucket", view="readyz", le="0.0"),
    )

    client.get("/readyz")

    after = (
        sample("shop_http_requests_total", **labels),
        sample("shop_http_request_duration_seconds_count", **labels),
        sample("shop_http_request_db_queries_bucket", view="readyz", le="1.0"),
        sample("shop_http_request_db_queries_bucket", view="readyz", le="0.0"),
    )
    # one more request, timed; it made one query (SELECT 1)
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 0]
    assert sample("shop_http_requests_in_flight") == 0


@pytest.mark.django_db
def test_paths_with_ids_count_under_their_route_name(client):
    labels = {"method": "GET", "view": "api:v1:checkout", "status": "404"}
    before = sample("shop_http_requests_total", **labels)
    tokens = [str(uuid.uuid4()), str(uuid.uuid4())]

    for token in tokens:
        client.get(f"/api/v1/checkouts/{token}/")

    assert sample("shop_http_requests_total", **labels) - before == 2
    labels_seen = str([s.labels for m in REGISTRY.collect() for s in m.samples])
    assert tokens[0] not in labels_seen


@pytest.mark.django_db
def test_the_application_does_not_serve_the_metrics(client):
    # The ingress routes only the application's port: it never sees them.
    assert client.get("/metrics/").status_code == 404


def test_celery_tasks_are_counted_by_name_and_state_and_timed():
    before = (
        sample("shop_celery_tasks_total", task="metrics-test.add", state="SUCCESS"),
        sample("shop_celery_tasks_total", task="metrics-test.fail", state="FAILURE"),
        sample("shop_celery_task_duration_seconds_count", task="metrics-test.add"),
    )

    assert add.delay(2, 3).get() == 5
    assert fail.delay().failed()

    after = (
        sample("shop_celery_tasks_total", task="metrics-test.add", state="SUCCESS"),
        sample("shop_celery_tasks_total", task="metrics-test.fail", state="FAILURE"),
        sample("shop_celery_task_duration_seconds_count", task="metrics-test.add"),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]


@pytest.mark.django_db
def test_checkout_completions_are_counted_by_outcome(shop_plugins):
    def completions():
        return [
            sample("shop_checkout_completions_total", outcome=outcome)
            for outcome in ("placed", "declined", "failed")
        ]

    before = completions()
    variant = VariantFactory(price=Decimal("10.00"), stock=5)
    for key, card in (("k1", SUCCESS_CARD), ("k2", DECLINED_CARD)):
        checkout = make_checkout([(variant, 1)])
        checkout_services.complete_checkout(checkout, key, "dummy-payment", card)
    # a repeated request places nothing more
    checkout_services.complete_checkout(checkout, "k2", "dummy-payment", card)

    assert [a - b for a, b in zip(completions(), before, strict=True)] == [1, 1, 0]


@pytest.mark.django_db
def test_the_metrics_server_answers_on_its_own_port(client):
    client.get("/healthz")
    add.delay(1, 1)
    port = free_port()
    server = start_metrics_server(port, "127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as answer:
            content_type = answer.headers["Content-Type"]
            text = answer.read().decode()
    finally:
        server.shutdown()
        server.server_close()

    assert content_type.startswith("text/plain; version=")
    names = {
        line.split("{")[0].split(" ")[0]
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert {
        "shop_http_requests_total",
        "shop_http_request_duration_seconds_bucket",
        "shop_http_requests_in_flight",
        "shop_http_request_db_queries_bucket",
        "shop_celery_task_duration_seconds_bucket",
        "shop_recommend_training_duration_seconds_bucket",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
    } <= names
    assert 'shop_http_requests_total{method="GET",status="200",view="healthz"}' in text
