from django.conf import settings
from django.db import models
from django.db.models import Q


class InteractionKind(models.TextChoices):
    VIEW = "view", "Product view"
    CART_ADD = "cart_add", "Added to cart"
    PURCHASE = "purchase", "Purchase"
    REVIEW = "review", "Review"


class Interaction(models.Model):
    """One shopper event on a product: what the recommender learns from.

    Anonymous shoppers are identified by a session id until they sign in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    session_id = models.CharField(max_length=64, blank=True)
    product = models.ForeignKey(
        "cms.ProductPage", on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(max_length=10, choices=InteractionKind.choices)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["session_id", "created_at"]),
            models.Index(fields=["product", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_id=""),
                name="interaction_has_shopper",
            )
        ]

    def __str__(self):
        return f"{self.kind} of {self.product_id} at {self.created_at:%Y-%m-%d %H:%M}"


class StoredValue(models.Model):
    """The recommender's store without Redis (recommend.store.DatabaseStore).

    Its own table, not a cache: nothing else's entries can evict a published
    model. A replaced or unpublished version expires; the current one never.
    The pointer to the current version is the row with an empty version.
    """

    prefix = models.CharField(max_length=64)
    version = models.CharField(max_length=64)
    field = models.CharField(max_length=255)
    value = models.BinaryField()
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "version", "field"], name="stored_value_unique_key"
            )
        ]

    def __str__(self):
        return f"{self.prefix}:{self.version}:{self.field}"
