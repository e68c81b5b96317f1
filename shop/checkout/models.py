import uuid

from django.conf import settings
from django.db import models


class Checkout(models.Model):
    """What a shopper chose for buying their cart: contact, addresses, shipping,
    voucher. The lines and every price come from the cart and the catalog, read
    again whenever totals are computed.

    Anonymous checkouts are reached by their token alone (a random UUID);
    a signed-in user's checkout only by that user.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cart = models.ForeignKey(
        "cart.Cart", on_delete=models.CASCADE, related_name="checkouts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checkouts",
    )
    email = models.EmailField(blank=True)
    # Copies of the addresses (the address book may change or go away).
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    shipping_method_id = models.CharField(max_length=128, blank=True)
    voucher_code = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3)
    # The order being paid or placed; cleared when its payment is declined, so
    # the shopper may try again.
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Checkout {self.token}"
