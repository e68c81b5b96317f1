from django.db import models
from django.db.models import F, Q


class Stock(models.Model):
    """On-hand and allocated units of one variant.

    The purchase flow allocates with row locks; the constraints are the last line
    of defence against overselling.
    """

    variant = models.OneToOneField(
        "cms.Variant", on_delete=models.CASCADE, related_name="stock"
    )
    quantity = models.PositiveIntegerField(default=0)
    quantity_allocated = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="stock_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity_allocated__gte=0),
                name="stock_allocated_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(quantity_allocated__lte=F("quantity")),
                name="stock_allocated_within_quantity",
            ),
        ]

    def __str__(self):
        return f"{self.variant} ({self.quantity_available} available)"

    @property
    def quantity_available(self) -> int:
        return self.quantity - self.quantity_allocated
