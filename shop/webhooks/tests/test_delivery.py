import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from shop.plugins.base import EVENT_HOOKS, implemented_hooks
from shop.plugins.manager import PluginsManager, get_plugins_manager
from shop.webhooks import services, tasks
from shop.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from shop.webhooks.plugin import WebhooksPlugin
from shop.webhooks.tests.conftest import SECRET, verify_signature

pytestmark = pytest.mark.django_db

PAYLOAD = {"id": 7, "number": "1007", "total": "12.50"}


def make_due(delivery_id):
    """Time passes: the next attempt is due now."""
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        next_attempt_at=timezone.now()
    )


def attempts_log(delivery_id):
    return list(
        WebhookDelivery.objects.get(pk=delivery_id).attempt_log.values_list(
            "cycle", "number", "status_code"
        )
    )


def waited_before_next(delivery):
    """Seconds between the attempt just logged and the next one."""
    last = delivery.attempt_log.last()
    return round((delivery.next_attempt_at - last.created).total_seconds())


def test_the_plugin_implements_every_event_hook():
    assert set(implemented_hooks(WebhooksPlugin)) == EVENT_HOOKS


@pytest.mark.parametrize("event", sorted(EVENT_HOOKS))
def test_each_event_is_recorded_under_its_own_name(make_webhook, event):
    make_webhook("https://receiver.test/hooks", events=sorted(EVENT_HOOKS))
    hook = getattr(PluginsManager, event)

    hook(get_plugins_manager(), {"id": 3})

    assert list(WebhookDelivery.objects.values_list("event", "payload")) == [
        (event, {"id": 3})
    ]


def test_an_event_is_posted_signed_with_its_id_and_name(
    receiver, make_webhook, django_capture_on_commit_callbacks
):
    webhook = make_webhook(receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        get_plugins_manager().order_created(PAYLOAD)

    delivery = WebhookDelivery.objects.get()
    [request] = receiver.requests
    assert request.path == "/hooks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Shop-Event"] == "order_created"
    assert request.headers["X-Shop-Event-Id"] == str(delivery.event_id)
    assert request.json() == {
        "id": str(delivery.event_id),
        "event": "order_created",
        "created": delivery.created.isoformat(),
        "data": PAYLOAD,
    }
    assert verify_signature(SECRET, request)
    assert not verify_signature("another secret", request)
    assert (delivery.webhook, delivery.status, delivery.attempts) == (
        webhook,
        DeliveryStatus.SUCCESS,
        1,
    )
    assert delivery.next_attempt_at is None


def test_a_tampered_body_or_an_old_timestamp_fails_verification(
    receiver, make_webhook, django_capture_on_commit_callbacks
):
    make_webhook(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        get_plugins_manager().order_created(PAYLOAD)
    [request] = receiver.requests

    tampered = type(request)(request.path, request.headers, request.body + b" ")

    assert not verify_signature(SECRET, tampered)
    assert not verify_signature(SECRET, request, tolerance=-1)


def test_the_attempt_is_logged(receiver, make_webhook):
    make_webhook(receiver.url)
    [delivery_id] = services.record_event("order_created", PAYLOAD)

    services.deliver(delivery_id)

    attempt = WebhookDelivery.objects.get(pk=delivery_id).attempt_log.get()
    assert (attempt.cycle, attempt.number, attempt.status_code, attempt.error) == (
        1,
        1,
        200,
        "",
    )
    assert attempt.response_body == "answered 200"
    assert attempt.duration_ms >= 0


def test_the_backoff_doubles_from_ten_seconds():
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [
        10,
        20,
        40,
        80,
    ]


def test_the_backoff_base_comes_from_settings(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 3

    assert services.retry_delay(3) == timedelta(seconds=12)


def test_a_5xx_answer_is_retried_with_backoff_until_it_succeeds(receiver, make_webhook):
    make_webhook(receiver.url)
    receiver.answer(500, 503)
    [delivery_id] = services.record_event("order_created", PAYLOAD)

    first = services.deliver(delivery_id)
    waits = [waited_before_next(first)]
    make_due(delivery_id)
    second = services.deliver(delivery_id)
    waits.append(waited_before_next(second))
    make_due(delivery_id)
    third = services.deliver(delivery_id)

    assert [first.status, second.status, third.status] == [
        DeliveryStatus.PENDING,
        DeliveryStatus.PENDING,
        DeliveryStatus.SUCCESS,
    ]
    assert waits == [10, 20]
    assert attempts_log(delivery_id) == [(1, 1, 500), (1, 2, 503), (1, 3, 200)]
    assert len(receiver.requests) == 3
    assert len({r.headers["X-Shop-Event-Id"] for r in receiver.requests}) == 1


def test_an_unreachable_receiver_is_retried_then_the_delivery_fails(
    closed_port_url, make_webhook
):
    make_webhook(closed_port_url)
    [delivery_id] = services.record_event("order_created", PAYLOAD)

    waits = []
    for _ in range(4):
        delivery = services.deliver(delivery_id)
        assert delivery.status == DeliveryStatus.PENDING
        waits.append(waited_before_next(delivery))
        make_due(delivery_id)
    delivery = services.deliver(delivery_id)

    assert waits == [10, 20, 40, 80]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED,
        5,
        None,
    )
    log = list(delivery.attempt_log.all())
    assert [(a.number, a.status_code) for a in log] == [(n, None) for n in range(1, 6)]
    assert all(a.error.startswith("ConnectionError: ") for a in log)
    assert all(a.duration_ms >= 0 for a in log)
    assert services.deliver(delivery_id) is None


def test_max_attempts_come_from_settings(settings, receiver, make_webhook):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    make_webhook(receiver.url)
    receiver.answer(500, 500, 500)
    [delivery_id] = services.record_event("order_created", PAYLOAD)

    services.deliver(delivery_id)
    make_due(delivery_id)
    delivery = services.deliver(delivery_id)

    assert delivery.status == DeliveryStatus.FAILED
    assert attempts_log(delivery_id) == [(1, 1, 500), (1, 2, 500)]


@pytest.mark.parametrize("status", [400, 404, 410, 301])
def test_a_4xx_or_3xx_answer_fails_at_once(receiver, make_webhook, status):
    make_webhook(receiver.url)
    receiver.answer(status)
    [delivery_id] = services.record_event("order_created", PAYLOAD)

    delivery = services.deliver(delivery_id)

    assert (delivery.status, delivery.next_attempt_at) == (DeliveryStatus.FAILED, None)
    assert attempts_log(delivery_id) == [(1, 1, status)]
    assert delivery.attempt_log.get().response_body == f"answered {status}"
    make_due(delivery_id)
    assert services.deliver(delivery_id) is None
    assert len(receiver.requests) == 1


def test_an_attempt_in_flight_is_not_sent_again(receiver, make_webhook):
    """Its claim moved next_attempt_at forward; until it runs out, no one else
    sends it (not the task, not the sweep)."""
    make_webhook(receiver.url)
    [delivery_id] = services.record_event("order_created", PAYLOAD)
    claimed = services._claim(delivery_id)

    assert services.deliver(delivery_id) is None
    assert services.sweep() == []
    assert claimed.next_attempt_at == WebhookDelivery.objects.get().next_attempt_at
    assert receiver.requests == []


def test_a_late_attempt_after_its_claim_ran_out_is_logged_but_decides_nothing(
    receiver, make_webhook
):
    make_webhook(receiver.url)
    receiver.answer(200, 500)
    [delivery_id] = services.record_event("order_created", PAYLOAD)
    stale = services._claim(delivery_id)
    make_due(delivery_id)  # the claim ran out: another worker takes over

    newer = services.deliver(delivery_id)
    late = services._record(stale, services.send(stale))

    assert newer.status == late.status == DeliveryStatus.SUCCESS
    assert attempts_log(delivery_id) == [(1, 1, 500), (1, 2, 200)]


def test_a_webhook_deleted_during_an_attempt_ends_it_quietly(receiver, make_webhook):
    webhook = make_webhook(receiver.url)
    [delivery_id] = services.record_event("order_created", PAYLOAD)
    claimed = services._claim(delivery_id)
    webhook.delete()

    assert services._record(claimed, services.send(claimed)) is None
    assert WebhookDelivery.objects.count() == 0


# serialized_rollback: the flush after each test then leaves the data other
# tests rely on (content types, the Wagtail root page) as it was.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_locked_by_another_worker_is_skipped(receiver, make_webhook):
    webhook = make_webhook(receiver.url)
    delivery_id = WebhookDelivery.objects.create(
        webhook=webhook, event="order_created", payload=PAYLOAD
    ).pk
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    locked.wait(10)
    try:
        skipped = services.deliver(delivery_id)
    finally:
        release.set()
        thread.join()

    assert skipped is None
    assert WebhookDelivery.objects.get().attempts == 0
    assert receiver.requests == []


def test_the_task_queues_the_retry_for_when_it_is_due(
    receiver, make_webhook, monkeypatch
):
    make_webhook(receiver.url)
    receiver.answer(500)
    [delivery_id] = services.record_event("order_created", PAYLOAD)
    queued = []
    monkeypatch.setattr(
        tasks.deliver_webhook,
        "apply_async",
        lambda args, **options: queued.append((args, options)),
    )

    tasks.deliver_webhook(delivery_id)

    [(args, options)] = queued
    assert args == (delivery_id,)
    assert 9 < options["countdown"] <= 10
    assert options["retry"] is False


def test_redeliver_starts_a_new_cycle_with_the_same_event_id(
    receiver, make_webhook, django_capture_on_commit_callbacks
):
    make_webhook(receiver.url)
    receiver.answer(400)
    [delivery_id] = services.record_event("order_created", PAYLOAD)
    failed = services.deliver(delivery_id)

    with django_capture_on_commit_callbacks(execute=True):
        pending = services.redeliver(failed)

    assert (pending.status, pending.cycle, pending.attempts) == (
        DeliveryStatus.PENDING,
        2,
        0,
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.cycle, delivery.attempts) == (
        DeliveryStatus.SUCCESS,
        2,
        1,
    )
    assert attempts_log(delivery_id) == [(1, 1, 400), (2, 1, 200)]
    assert [r.headers["X-Shop-Event-Id"] for r in receiver.requests] == [
        str(delivery.event_id)
    ] * 2


def test_a_pending_delivery_cannot_be_redelivered(make_webhook, receiver):
    make_webhook(receiver.url)
    [delivery_id] = services.record_event("order_created", PAYLOAD)

    with pytest.raises(ValidationError) as raised:
        services.redeliver(WebhookDelivery.objects.get(pk=delivery_id))

    assert raised.value.code == "still_pending"


def test_only_webhooks_subscribed_to_the_event_get_it(
    receiver, make_webhook, django_capture_on_commit_callbacks
):
    orders = make_webhook(receiver.url, events=["order_created"], name="Orders")
    make_webhook(
        receiver.url, events=["product_updated", "product_created"], name="Catalog"
    )

    with django_capture_on_commit_callbacks(execute=True):
        get_plugins_manager().order_created(PAYLOAD)

    assert list(WebhookDelivery.objects.values_list("webhook", "event")) == [
        (orders.pk, "order_created")
    ]
    assert [r.headers["X-Shop-Event"] for r in receiver.requests] == ["order_created"]


def test_inactive_webhooks_get_nothing(
    receiver, make_webhook, django_capture_on_commit_callbacks
):
    make_webhook(receiver.url, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        get_plugins_manager().order_created(PAYLOAD)

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_a_webhook_deactivated_after_the_event_is_paused(receiver, make_webhook):
    webhook = make_webhook(receiver.url)
    [delivery_id] = services.record_event("order_created", PAYLOAD)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False)

    assert services.deliver(delivery_id) is None
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    assert receiver.requests == []


def test_one_event_for_two_webhooks_shares_its_event_id(
    receiver, make_webhook, django_assert_num_queries
):
    make_webhook(receiver.url, name="One")
    make_webhook(receiver.url, name="Two")
    manager = get_plugins_manager()

    # savepoint, subscribed webhooks, one insert for all deliveries, release
    with django_assert_num_queries(4):
        manager.order_created(PAYLOAD)

    assert WebhookDelivery.objects.values("event_id").distinct().count() == 1


def test_an_event_without_subscribers_costs_one_query(django_assert_num_queries):
    manager = get_plugins_manager()

    with django_assert_num_queries(3):  # savepoint, subscribed webhooks, release
        manager.order_created(PAYLOAD)


def test_the_sweep_leaves_deliveries_whose_task_is_merely_late(receiver, make_webhook):
    make_webhook(receiver.url)
    [fresh] = services.record_event("order_created", PAYLOAD)
    [overdue] = services.record_event("order_created", PAYLOAD)
    WebhookDelivery.objects.filter(pk=overdue).update(
        next_attempt_at=timezone.now() - timedelta(seconds=31)
    )

    assert services.sweep() == [overdue]
    assert [r.headers["X-Shop-Event-Id"] for r in receiver.requests] == [
        str(WebhookDelivery.objects.get(pk=overdue).event_id)
    ]
    assert WebhookDelivery.objects.get(pk=fresh).status == DeliveryStatus.PENDING


def test_unknown_events_are_refused():
    webhook = Webhook(
        name="x",
        target_url="https://erp.example.com/h",
        events=["order_created", "nope"],
    )

    with pytest.raises(ValidationError) as raised:
        webhook.full_clean()

    assert raised.value.message_dict == {"events": ["Unknown event(s): nope."]}


def test_a_new_webhook_gets_a_random_secret():
    first = Webhook(name="a", target_url="https://a.example", events=["order_paid"])
    second = Webhook(name="b", target_url="https://b.example", events=["order_paid"])

    assert len(first.secret) == 64
    assert first.secret != second.secret
