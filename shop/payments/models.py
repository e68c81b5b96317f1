from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from shop.core.money import money_field


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    AUTHORIZED = "authorized", "Authorized"
    PARTIALLY_CAPTURED = "partially_captured", "Partially captured"
    CAPTURED = "captured", "Captured"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"
    VOIDED = "voided", "Voided"
    FAILED = "failed", "Failed"


# Statuses from which (more of) the amount may still be taken.
CAPTURABLE = (
    PaymentStatus.PENDING,
    PaymentStatus.AUTHORIZED,
    PaymentStatus.PARTIALLY_CAPTURED,
)


class Payment(models.Model):
    """One payment of an order through one gateway plugin.

    ``refunded_amount`` counts refunds in flight too (reserved under a row lock
    before the gateway is asked), so two refunds can never exceed the capture;
    ``capturing_amount`` does the same for captures in flight, so two captures
    can never exceed the authorization (and nothing in flight is refundable).
    """

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="payments"
    )
    gateway = models.CharField(max_length=64)
    status = models.CharField(
        max_length=32,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_index=True,
    )
    currency = models.CharField(max_length=3)
    amount = money_field()
    captured_amount = money_field(default=Decimal(0))
    capturing_amount = money_field(default=Decimal(0))
    refunded_amount = money_field(default=Decimal(0))
    # The provider's id of the authorization, for capture, void and refund.
    transaction_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="payment_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(captured_amount__lte=F("amount")),
                name="payment_captured_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(capturing_amount__gte=0)
                & Q(capturing_amount__lte=F("amount") - F("captured_amount")),
                name="payment_capturing_within_authorized",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0)
                & Q(refunded_amount__lte=F("captured_amount")),
                name="payment_refunded_within_captured",
            ),
        ]

    def __str__(self):
        return f"{self.gateway} {self.amount} {self.currency} ({self.status})"

    @property
    def capturable_amount(self) -> Decimal:
        if self.status not in CAPTURABLE:
            return Decimal(0)
        return self.amount - self.captured_amount - self.capturing_amount

    @property
    def refundable_amount(self) -> Decimal:
        return self.captured_amount - self.refunded_amount


class PaymentTransaction(models.Model):
    """Every call to the gateway and its answer."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="transactions"
    )
    kind = models.CharField(max_length=16)
    is_success = models.BooleanField()
    amount = money_field()
    transaction_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=255, blank=True)
    raw_response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        outcome = "ok" if self.is_success else self.error
        return f"{self.kind} {self.amount} ({outcome})"
