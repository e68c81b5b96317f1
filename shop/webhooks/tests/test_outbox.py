"""The outbox against real commits: these tests run outside a test transaction."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from kombu.exceptions import OperationalError

from shop.plugins.manager import get_plugins_manager
from shop.webhooks import services, tasks
from shop.webhooks.models import DeliveryStatus, WebhookDelivery
from shop.webhooks.tests.conftest import SECRET, verify_signature

# serialized_rollback: the flush after each test then leaves the data other
# tests rely on (content types, the Wagtail root page) as it was.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def place_order(email):
    """A change and its event in one transaction, as a service would do it."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(email=email)
        get_plugins_manager().customer_created({"email": user.email})


def test_a_committed_change_is_delivered_after_the_commit(receiver, make_webhook):
    make_webhook(receiver.url, events=["customer_created"])

    place_order("ada@example.com")

    [request] = receiver.requests
    assert request.json()["data"] == {"email": "ada@example.com"}
    assert verify_signature(SECRET, request)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCESS


def test_a_rolled_back_change_sends_nothing(receiver, make_webhook):
    make_webhook(receiver.url, events=["customer_created"])

    with pytest.raises(RuntimeError), transaction.atomic():
        get_user_model().objects.create_user(email="ada@example.com")
        get_plugins_manager().customer_created({"email": "ada@example.com"})
        raise RuntimeError("payment declined")

    assert WebhookDelivery.objects.count() == 0
    assert get_user_model().objects.count() == 0
    assert receiver.requests == []


def test_with_the_broker_down_the_event_waits_in_the_outbox_for_the_sweep(
    receiver, make_webhook, monkeypatch, settings
):
    make_webhook(receiver.url, events=["customer_created"])

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379.")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.deliver_webhook, "apply_async", broker_down)
        place_order("ada@example.com")

    assert get_user_model().objects.get().email == "ada@example.com"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert receiver.requests == []

    # The broker is back; a minute later the beat runs the sweep on a worker.
    settings.WEBHOOK_SWEEP_GRACE_SECONDS = 0
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    tasks.sweep_webhook_deliveries()

    [request] = receiver.requests
    assert request.headers["X-Shop-Event-Id"] == str(delivery.event_id)
    assert verify_signature(SECRET, request)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCESS


def test_a_broker_failure_stops_queueing_and_leaves_the_rest_pending(
    receiver, make_webhook, monkeypatch, caplog
):
    make_webhook(receiver.url, events=["customer_created"], name="One")
    make_webhook(receiver.url, events=["customer_created"], name="Two")
    calls = []

    def broker_down(*args, **kwargs):
        calls.append(args)
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.deliver_webhook, "apply_async", broker_down)
    place_order("ada@example.com")

    assert len(calls) == 1
    assert "2 webhook deliveries left for the sweep" in caplog.text
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.PENDING
    }
    assert services.sweep() == []  # within the grace period


def test_after_a_broker_failure_the_process_stops_trying_for_a_while(
    receiver, make_webhook, monkeypatch
):
    make_webhook(receiver.url, events=["customer_created"])
    calls = []

    def broker_down(*args, **kwargs):
        calls.append(args)
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.deliver_webhook, "apply_async", broker_down)
    place_order("ada@example.com")
    place_order("bob@example.com")
    monkeypatch.setattr(services, "_broker_down_until", 0.0)  # the pause is over
    place_order("cyd@example.com")

    assert len(calls) == 2  # the first and the third order; the second waited
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 3
