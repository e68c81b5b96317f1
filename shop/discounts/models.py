"""Vouchers: a code a shopper enters at checkout for a discount.

`used_count` is kept by shop.discounts.services under a row lock; the
constraints are the last line of defence against redeeming a voucher past its
limit.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from shop.core.money import money_field


class VoucherType(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    FIXED = "fixed", "Fixed amount"


class VoucherScope(models.TextChoices):
    ORDER = "order", "Whole order"
    SHIPPING = "shipping", "Shipping"
    LINES = "lines", "Specific products or categories"


def normalize_code(code: str) -> str:
    return code.strip().upper()


class Voucher(models.Model):
    # Stored upper-cased, so the unique index also makes lookups case-insensitive.
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=255, blank=True)
    type = models.CharField(
        max_length=10, choices=VoucherType.choices, default=VoucherType.PERCENTAGE
    )
    value = money_field(
        help_text="A percentage (at most 100) or an amount in the currency.",
    )
    currency = models.CharField(
        max_length=3,
        default=settings.DEFAULT_CURRENCY,
        help_text="Only checkouts in this currency may use the voucher.",
    )
    scope = models.CharField(
        max_length=10, choices=VoucherScope.choices, default=VoucherScope.ORDER
    )
    products = models.ManyToManyField(
        "cms.ProductPage", blank=True, related_name="vouchers"
    )
    categories = models.ManyToManyField(
        "cms.CategoryPage",
        blank=True,
        related_name="vouchers",
        help_text="A category includes its subcategories.",
    )
    min_order_value = money_field(
        null=True,
        blank=True,
        help_text="The subtotal (before discounts and shipping) the order must reach.",
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Uses in total; empty for no limit."
    )
    usage_limit_per_customer = models.PositiveIntegerField(
        null=True, blank=True, help_text="Uses per customer; empty for no limit."
    )
    used_count = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField(default=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code=Upper("code")), name="voucher_code_upper_case"
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0), name="voucher_value_positive"
            ),
            models.CheckConstraint(
                condition=~Q(type=VoucherType.PERCENTAGE) | Q(value__lte=100),
                name="voucher_percentage_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True)
                | Q(used_count__lte=F("usage_limit")),
                name="voucher_used_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(usage_limit__gt=0),
                name="voucher_usage_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(usage_limit_per_customer__isnull=True)
                | Q(usage_limit_per_customer__gt=0),
                name="voucher_customer_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(min_order_value__isnull=True) | Q(min_order_value__gte=0),
                name="voucher_min_order_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="voucher_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalize_code(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        self.code = normalize_code(self.code)
        errors = {}
        if self.value is not None and self.value <= 0:
            errors["value"] = "The value must be above zero."
        elif (
            self.type == VoucherType.PERCENTAGE
            and self.value is not None
            and self.value > 100
        ):
            errors["value"] = "A percentage cannot be above 100."
        if self.usage_limit is not None and self.usage_limit < self.used_count:
            errors["usage_limit"] = (
                f"The voucher was already used {self.used_count} times."
            )
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The end must be after the start."
        if errors:
            raise ValidationError(errors)


class VoucherUsage(models.Model):
    """One redemption of a voucher by one order."""

    voucher = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, related_name="usages"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voucher_usages",
    )
    # Lower-cased; counts guest uses against the per-customer limit.
    email = models.EmailField(blank=True, db_index=True)
    # A plain reference, not a foreign key: orders depend on discounts, not back.
    order_reference = models.CharField(max_length=64, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["voucher", "user"])]
        constraints = [
            # An order redeems a voucher once, so releasing it gives back one use.
            models.UniqueConstraint(
                fields=["voucher", "order_reference"],
                condition=~Q(order_reference=""),
                name="voucher_usage_once_per_order",
            )
        ]

    def __str__(self):
        return f"{self.voucher} by {self.user or self.email}"
