import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from shop.plugins.base import EVENT_HOOKS
from shop.webhooks.targets import validate_webhook_target


def generate_secret() -> str:
    return secrets.token_hex(32)


def validate_event_names(events: list[str]) -> None:
    unknown = sorted(set(events) - EVENT_HOOKS)
    if unknown:
        raise ValidationError(
            "Unknown event(s): %(events)s.",
            code="unknown_event",
            params={"events": ", ".join(unknown)},
        )


class Webhook(models.Model):
    """A receiver staff registered: events it wants are POSTed to it, signed."""

    name = models.CharField(max_length=100)
    target_url = models.URLField(
        max_length=500,
        validators=[validate_webhook_target],
        help_text="An https URL at a public address.",
    )
    secret = models.CharField(
        max_length=255,
        default=generate_secret,
        help_text="Shared with the receiver; it signs every delivery (HMAC-SHA256).",
    )
    # A JSON list, not an ArrayField, so the embedded SQLite default works too.
    events = models.JSONField(
        default=list,
        validators=[validate_event_names],
        help_text="The events this receiver is sent.",
    )
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCESS = "success", "Success"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """The outbox row of one event for one webhook, written with the change.

    While ``status`` is pending, ``next_attempt_at`` is when the next attempt is
    due; a worker sending an attempt moves it into the future (its claim), so an
    attempt whose worker died is picked up again once the claim has run out.
    ``attempts`` counts the attempts of the current cycle; a redelivery starts a
    new ``cycle``.
    """

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    cycle = models.PositiveIntegerField(default=1)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_id"], name="webhook_delivery_once_per_event"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook} ({self.event_id})"


class WebhookDeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery, whatever its outcome."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    cycle = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()
    response_body = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "cycle", "number"],
                name="webhook_attempt_once",
            ),
        ]

    def __str__(self):
        return f"{self.delivery_id} #{self.cycle}.{self.number}"
