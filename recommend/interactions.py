"""Recording shopper interactions (the events API and the shop's own plugin).

A batch is written all or nothing: every product is checked first (one query),
then all rows go in one bulk insert.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from cms import readmodel
from cms.models import ProductPage
from recommend.models import Interaction


@dataclass(frozen=True)
class Event:
    product_id: int
    kind: str
    at: datetime
    user_id: int | None = None
    session_id: str = ""


class UnknownProducts(Exception):
    """Some events name products that are not live; `indexes` says which."""

    def __init__(self, indexes: list[int]):
        super().__init__(f"Unknown products at {indexes}")
        self.indexes = indexes


def unknown_product_indexes(product_ids: Sequence[int]) -> list[int]:
    """Positions of ids that are not live products (one query)."""
    live = set(
        ProductPage.objects.live()
        .filter(pk__in=set(product_ids))
        .values_list("pk", flat=True)
    )
    return [index for index, pk in enumerate(product_ids) if pk not in live]


def record(events: Sequence[Event]) -> list[Interaction]:
    """Stores the events, or none of them (UnknownProducts)."""
    unknown = unknown_product_indexes([event.product_id for event in events])
    if unknown:
        raise UnknownProducts(unknown)
    rows = [
        Interaction(
            user_id=event.user_id,
            session_id=event.session_id,
            product_id=event.product_id,
            kind=event.kind,
            created_at=event.at,
        )
        for event in events
    ]
    with transaction.atomic():
        readmodel.renew(
            {
                name
                for event in events
                for name in history_generations(event.user_id, event.session_id)
            }
        )
        return Interaction.objects.bulk_create(rows)


def history_generations(user_id: int | None, session_id: str) -> list[str]:
    """The cms.readmodel generations of a shopper's history: the user's and the
    session's ("for me" answers are cached under them)."""
    names = [f"history:user:{user_id}"] if user_id else []
    return names + ([f"history:session:{session_id}"] if session_id else [])
