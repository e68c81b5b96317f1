"""What the shop tells the recommender: purchases and catalog changes.

- ``order_created``: one purchase interaction per line's product (the payload's
  lines carry ``variant_id``; one query maps them to products). The shopper is
  the order's user; a guest order counts as its own session ``order-<id>``, so
  products bought together still teach co-occurrence.
- ``product_created`` / ``product_updated`` / ``product_deleted``: a debounced
  retrain, queued once the change commits.

Cart adds come from the clients through ``POST /api/v1/events/``: the shop has
no cart event hook yet.
"""

from django.db import transaction
from django.utils import timezone

from cms.models import Variant
from recommend import interactions, tasks
from recommend.models import InteractionKind
from shop.plugins.base import BasePlugin


class RecommendationsPlugin(BasePlugin):
    PLUGIN_ID = "recommendations"
    PLUGIN_NAME = "Recommendations"
    PLUGIN_DESCRIPTION = (
        "Records purchases for the recommender and retrains it after catalog changes."
    )
    DEFAULT_ACTIVE = True

    def order_created(self, payload):
        variant_ids = {
            line["variant_id"]
            for line in payload.get("lines", ())
            if line.get("variant_id")
        }
        product_ids = sorted(
            set(
                Variant.objects.filter(
                    pk__in=variant_ids, product__live=True
                ).values_list("product_id", flat=True)
            )
        )
        if not product_ids:
            return
        user_id = payload.get("user_id")
        now = timezone.now()
        interactions.record(
            [
                interactions.Event(
                    product_id=product_id,
                    kind=InteractionKind.PURCHASE,
                    at=now,
                    user_id=user_id,
                    session_id="" if user_id else f"order-{payload['id']}",
                )
                for product_id in product_ids
            ]
        )

    def _catalog_changed(self, payload):
        # robust: the change is committed; a broker outage must not undo it.
        transaction.on_commit(tasks.schedule_retrain, robust=True)

    product_created = _catalog_changed
    product_updated = _catalog_changed
    product_deleted = _catalog_changed
