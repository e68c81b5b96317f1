from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shop.core.money import money_field


class OrderStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Unconfirmed (payment pending)"
    UNFULFILLED = "unfulfilled", "Unfulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled", "Partially fulfilled"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded / returned"
    # The payment was declined or errored (or never answered): kept with its
    # payment record for staff, but never a placed order for anyone downstream.
    FAILED = "failed", "Failed checkout attempt"


class Order(models.Model):
    """A placed order. Everything a shopper bought is copied here (names, SKUs,
    prices, addresses), so later catalog edits do not change it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField()
    status = models.CharField(
        max_length=32,
        choices=OrderStatus.choices,
        default=OrderStatus.UNCONFIRMED,
        db_index=True,
    )
    # Completing a checkout twice with one key finds this order again.
    checkout_token = models.UUIDField(null=True, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3)
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    shipping_method_id = models.CharField(max_length=128, blank=True)
    shipping_method_name = models.CharField(max_length=255, blank=True)
    voucher_id = models.PositiveBigIntegerField(null=True, blank=True)
    voucher_code = models.CharField(max_length=64, blank=True)
    subtotal_net = money_field()
    subtotal_gross = money_field()
    shipping_net = money_field(default=Decimal(0))
    shipping_gross = money_field(default=Decimal(0))
    discount_amount = money_field(default=Decimal(0))
    total_net = money_field()
    total_gross = money_field()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The admin viewset would register orders with Wagtail's reference index,
    # which then runs several queries on every save of the checkout's hot path;
    # nothing refers to an order in the CMS.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-id"]
        permissions = [("manage_orders", "Can fulfil, refund and cancel orders")]
        constraints = [
            models.UniqueConstraint(
                fields=["checkout_token", "idempotency_key"],
                condition=Q(checkout_token__isnull=False),
                name="order_unique_checkout_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(total_gross__gte=0), name="order_total_not_negative"
            ),
        ]

    def __str__(self):
        return f"Order {self.number}"

    @property
    def number(self) -> str:
        return str(self.pk)

    @property
    def taxes(self) -> Decimal:
        return self.total_gross - self.total_net


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "cms.Variant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product_name = models.CharField(max_length=255)
    variant_name = models.CharField(max_length=255, blank=True)
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    quantity_fulfilled = models.PositiveIntegerField(default=0)
    # Shipped units that came back into stock with a refund.
    quantity_restocked = models.PositiveIntegerField(default=0)
    unit_price_net = money_field()
    unit_price_gross = money_field()
    total_net = money_field()
    total_gross = money_field()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_fulfilled__lte=F("quantity")),
                name="order_line_fulfilled_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity_restocked__lte=F("quantity_fulfilled")),
                name="order_line_restocked_within_fulfilled",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"

    @property
    def quantity_unfulfilled(self) -> int:
        return self.quantity - self.quantity_fulfilled

    @property
    def quantity_restockable(self) -> int:
        return self.quantity_fulfilled - self.quantity_restocked


class OrderEventType(models.TextChoices):
    PLACED = "placed", "Placed"
    PAYMENT_AUTHORIZED = "payment_authorized", "Payment authorized"
    PAYMENT_CAPTURED = "payment_captured", "Payment captured"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    MARKED_PAID = "marked_paid", "Marked as paid"
    STATUS_CHANGED = "status_changed", "Status changed"
    FULFILLED = "fulfilled", "Fulfilled"
    REFUNDED = "refunded", "Refunded"
    CANCELLED = "cancelled", "Cancelled"
    NOTE = "note", "Note"


class OrderEvent(models.Model):
    """The order's history: every status change and payment step, with who."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=OrderEventType.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_type_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class Fulfillment(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="fulfillments"
    )
    tracking_number = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Fulfillment {self.pk} of order {self.order_id}"


class FulfillmentLine(models.Model):
    fulfillment = models.ForeignKey(
        Fulfillment, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="fulfillment_lines"
    )
    quantity = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.quantity} × line {self.order_line_id}"
