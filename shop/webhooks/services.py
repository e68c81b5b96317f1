"""Outgoing webhooks: an outbox written with the change, delivered by Celery.

Receiver's guide
----------------
Receivers are https URLs at public addresses (see shop.webhooks.targets).
Every delivery is an HTTP POST whose body is JSON::

    {"id": "<event id>", "event": "order_created", "created": "<ISO 8601>",
     "data": {...the event's payload...}}

with these headers::

    Content-Type: application/json
    X-Shop-Event: order_created
    X-Shop-Event-Id: <event id: a UUID, the same on every attempt and redelivery>
    X-Shop-Signature: t=<unix seconds when sent>,v1=<signature>

``<signature>`` is the lowercase hex HMAC-SHA256, keyed by the webhook's secret
(UTF-8), of the bytes ``<t>.<raw body>`` (the decimal timestamp, a full stop,
then the body exactly as received). To verify: recompute it over the raw body,
compare with ``hmac.compare_digest``, and reject ``t`` older than your tolerance
(say 5 minutes) to refuse replays. Act on each event id once: retries and
redeliveries send the same id again.

Answer 2xx to acknowledge. A 5xx answer, a timeout or a connection error is
retried after ``WEBHOOK_RETRY_BASE_SECONDS · 2^(n-1)`` seconds (10, 20, 40, 80 s)
until ``WEBHOOK_MAX_ATTEMPTS`` (5) attempts have failed; any other answer (3xx,
4xx) fails the delivery at once. Redirects are not followed.

How nothing is lost: the delivery row is written in the transaction of the change
that caused the event; the Celery task is queued only after the commit. When the
broker is down the row just stays pending, and the periodic sweep queues every
pending delivery that is overdue.
"""

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from shop.webhooks.models import (
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryAttempt,
)
from shop.webhooks.targets import PinnedHostAdapter, TargetNotAllowed, resolve_target

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Shop-Signature"
EVENT_HEADER = "X-Shop-Event"
EVENT_ID_HEADER = "X-Shop-Event-Id"
RESPONSE_EXCERPT_BYTES = 2000
ERROR_MAX_CHARS = 1000


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt of a cycle."""
    return timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS) * 2 ** (attempts - 1)


# -- recording and queueing ------------------------------------------------------


def record_event(event: str, payload: dict) -> list[int]:
    """Writes a pending delivery for each active webhook subscribed to ``event``,
    in the caller's transaction, and queues them once that transaction commits.

    Returns the new deliveries' ids.
    """
    webhook_ids = [
        pk
        for pk, events in Webhook.objects.filter(is_active=True).values_list(
            "pk", "events"
        )
        if event in events
    ]
    if not webhook_ids:
        return []
    event_id = uuid.uuid4()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook_id=pk, event_id=event_id, event=event, payload=payload)
        for pk in webhook_ids
    )
    delivery_ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(partial(enqueue, delivery_ids))
    return delivery_ids


# Until when (time.monotonic()) this process treats the broker as down.
_broker_down_until = 0.0


def enqueue(delivery_ids: Sequence[int], countdown: float | None = None) -> None:
    """Hands deliveries to the workers. With the broker unreachable they stay
    pending in the outbox and the sweep queues them later, so the caller (often a
    request whose change has just committed) never fails for it.

    Finding the broker down takes seconds (connection retries), so after a failure
    the process stops trying for ``WEBHOOK_BROKER_PAUSE_SECONDS``: only one
    request per process and pause pays that wait during an outage.
    """
    # The task module imports this one.
    from shop.webhooks.tasks import deliver_webhook

    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        logger.warning(
            "Broker down; %d webhook deliveries left for the sweep", len(delivery_ids)
        )
        return
    for queued, delivery_id in enumerate(delivery_ids):
        try:
            # No publish retries: the outbox is the retry.
            deliver_webhook.apply_async(
                (delivery_id,), countdown=countdown, retry=False
            )
        except OperationalError:
            _broker_down_until = (
                time.monotonic() + settings.WEBHOOK_BROKER_PAUSE_SECONDS
            )
            logger.exception(
                "Broker unreachable; %d webhook deliveries left for the sweep",
                len(delivery_ids) - queued,
            )
            return


def sweep(limit: int = 500) -> list[int]:
    """Queues pending deliveries that are overdue: their queueing failed, their
    worker died mid-attempt, or their retry message was lost.

    A grace period leaves deliveries whose own task is merely a little late
    to that task. Returns the ids queued.
    """
    overdue = timezone.now() - timedelta(seconds=settings.WEBHOOK_SWEEP_GRACE_SECONDS)
    delivery_ids = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=overdue,
            webhook__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueue(delivery_ids)
    return delivery_ids


@transaction.atomic
def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Starts a new cycle of attempts for a delivery that succeeded or failed.

    The event id stays the same, so a receiver that already acted on it can tell.
    """
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.PENDING:
        raise ValidationError(
            "This delivery is still being attempted.", code="still_pending"
        )
    delivery.status = DeliveryStatus.PENDING
    delivery.cycle += 1
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(
        update_fields=["status", "cycle", "attempts", "next_attempt_at", "updated"]
    )
    transaction.on_commit(partial(enqueue, [delivery.pk]))
    return delivery


# -- delivering ----------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    error: str
    duration_ms: int
    response_body: str
    # A refusal that another attempt would meet again (a target not allowed).
    final: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        return not self.final and (self.status_code is None or self.status_code >= 500)


def deliver(delivery_id: int) -> WebhookDelivery | None:
    """Makes the next attempt of a delivery if it is due and no one else is making
    it; returns the delivery as recorded after the attempt, or None if there was
    nothing to do (or the delivery was deleted meanwhile).

    Three steps so no row lock is held during the HTTP call: claim the attempt
    (and commit), send, record the result. Call it outside any transaction.
    """
    claimed = _claim(delivery_id)
    if claimed is None:
        return None
    return _record(claimed, send(claimed))


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(
                pk=delivery_id,
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=now,
                webhook__is_active=True,
            )
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(
            seconds=settings.WEBHOOK_CLAIM_SECONDS
        )
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated"])
    return delivery


def _record(claimed: WebhookDelivery, result: AttemptResult) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update().filter(pk=claimed.pk).first()
        )
        if delivery is None:
            logger.info(
                "Webhook delivery %s was deleted during its attempt", claimed.pk
            )
            return None
        WebhookDeliveryAttempt.objects.create(
            delivery=delivery,
            cycle=claimed.cycle,
            number=claimed.attempts,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
            response_body=result.response_body,
        )
        if (delivery.status, delivery.cycle, delivery.attempts) != (
            DeliveryStatus.PENDING,
            claimed.cycle,
            claimed.attempts,
        ):
            # This attempt outlived its claim and a newer one owns the row now:
            # it is logged, the newer attempt decides the status.
            return delivery
        if result.succeeded:
            delivery.status = DeliveryStatus.SUCCESS
            delivery.next_attempt_at = None
        elif result.retryable and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "next_attempt_at", "updated"])
    return delivery


def encode_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {
            "id": str(delivery.event_id),
            "event": delivery.event,
            "created": delivery.created.isoformat(),
            "data": delivery.payload,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    ).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict:
    signature = sign(delivery.webhook.secret, timestamp, body)
    return {
        "Content-Type": "application/json",
        "User-Agent": "Shop-Webhooks/1",
        EVENT_HEADER: delivery.event,
        EVENT_ID_HEADER: str(delivery.event_id),
        SIGNATURE_HEADER: f"t={timestamp},v1={signature}",
    }


def send(delivery: WebhookDelivery) -> AttemptResult:
    """One signed POST to the target's checked address (see
    shop.webhooks.targets); never raises for what the network or the receiver
    does."""
    started = time.monotonic()

    def elapsed_ms() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        target = resolve_target(delivery.webhook.target_url)
    except TargetNotAllowed as exc:
        return AttemptResult(
            status_code=None,
            error=" ".join(exc.messages)[:ERROR_MAX_CHARS],
            duration_ms=elapsed_ms(),
            response_body="",
            final=exc.code != "webhook_host_unresolved",
        )
    body = encode_body(delivery)
    headers = signed_headers(delivery, body, int(time.time()))
    headers["Host"] = target.host_header
    try:
        with requests.Session() as session:
            # No proxies or credentials from the environment: the checked
            # address is the one connected to.
            session.trust_env = False
            adapter = PinnedHostAdapter(target)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            with session.post(
                target.pinned_url,
                data=body,
                headers=headers,
                timeout=(
                    settings.WEBHOOK_CONNECT_TIMEOUT,
                    settings.WEBHOOK_READ_TIMEOUT,
                ),
                allow_redirects=False,
                stream=True,
            ) as response:
                # Only an excerpt is kept, so a huge answer is never read whole.
                excerpt = next(response.iter_content(RESPONSE_EXCERPT_BYTES), b"")
    except requests.RequestException as exc:
        return AttemptResult(
            status_code=None,
            error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS],
            duration_ms=elapsed_ms(),
            response_body="",
        )
    return AttemptResult(
        status_code=response.status_code,
        error="",
        duration_ms=elapsed_ms(),
        response_body=excerpt.decode("utf-8", errors="replace"),
    )
