"""Reads the catalog and the interactions for training, in bulk.

A fixed number of queries whatever the catalog size: categories, products,
variants, tags and interactions are each read with one query (interactions are
streamed in chunks through a server-side cursor).
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Exists, OuterRef
from wagtail.models import Page

from cms.models import CategoryPage, ProductPage, ProductTag, Variant
from recommend.collaborative import Interactions
from recommend.features import Item
from recommend.models import Interaction

STREAM_CHUNK = 10_000


@dataclass(frozen=True)
class Catalog:
    """The products the engine may recommend, in row order."""

    items: list[Item]
    # Per row: the ids of the product's category pages, top-level first.
    category_ids: list[tuple[int, ...]]

    @property
    def ids(self) -> np.ndarray:
        return np.fromiter((item.id for item in self.items), dtype=np.int64)


def load_catalog() -> Catalog:
    """Live products that have an active variant, with their attributes."""
    categories = {
        path: (pk, title)
        for pk, path, title in CategoryPage.objects.values_list("pk", "path", "title")
    }
    variants = defaultdict(list)
    for product_id, size, color, price in Variant.objects.filter(
        is_active=True
    ).values_list("product_id", "size", "color", "price"):
        variants[product_id].append((size, color, price))
    tags = defaultdict(list)
    for product_id, name in ProductTag.objects.values_list(
        "content_object_id", "tag__name"
    ):
        tags[product_id].append(name)
    products = ProductPage.objects.live().values_list(
        "pk",
        "path",
        "title",
        "description",
        "brand",
        "gender",
        "material",
        "rating_average",
        "rating_count",
    )
    items, category_ids = [], []
    step = Page.steplen
    for row in products.order_by("pk"):
        pk, path, title, description, brand, gender, material, rating, ratings = row
        if pk not in variants:
            continue
        ancestors = [
            categories[path[:end]]
            for end in range(step, len(path), step)
            if path[:end] in categories
        ]
        sizes = tuple(dict.fromkeys(size for size, _, _ in variants[pk] if size))
        colors = tuple(dict.fromkeys(color for _, color, _ in variants[pk] if color))
        items.append(
            Item(
                id=pk,
                title=title,
                description=description,
                category_path=tuple(title for _, title in ancestors),
                gender=gender,
                brand=brand,
                colors=colors,
                materials=(material,) if material else (),
                sizes=sizes,
                tags=tuple(sorted(tags.get(pk, ()))),
                price=float(min(price for _, _, price in variants[pk])),
                rating=float(rating) if ratings else None,
            )
        )
        category_ids.append(tuple(pk for pk, _ in ancestors))
    return Catalog(items, category_ids)


def load_interactions(catalog: Catalog) -> Interactions:
    """Every stored interaction on a catalog product, as arrays.

    Signed-in users are one shopper across their sessions; an anonymous session
    is a shopper of its own.
    """
    rows = {item.id: row for row, item in enumerate(catalog.items)}
    shoppers: dict[tuple, int] = {}
    shopper, item, kind, at = [], [], [], []
    events = Interaction.objects.values_list(
        "user_id", "session_id", "product_id", "kind", "created_at"
    ).order_by()
    for user_id, session_id, product_id, event_kind, created_at in events.iterator(
        chunk_size=STREAM_CHUNK
    ):
        if product_id not in rows:
            continue
        key = ("user", user_id) if user_id else ("session", session_id)
        shopper.append(shoppers.setdefault(key, len(shoppers)))
        item.append(rows[product_id])
        kind.append(event_kind)
        at.append(created_at.timestamp())
    return Interactions(
        shopper=np.array(shopper, dtype=np.int64),
        item=np.array(item, dtype=np.int64),
        kind=np.array(kind, dtype=object),
        at=np.array(at, dtype=np.float64),
    )


@dataclass(frozen=True)
class HistoryEvent:
    product_id: int
    kind: str
    at: float  # Unix seconds
    consumable: bool


def shopper_history(
    *, user_id: int | None = None, session_id: str = "", limit: int, consumable_tag: str
) -> list[HistoryEvent]:
    """A shopper's latest interactions, newest first, in one query.

    A signed-in user's history includes what they did in the given session before
    signing in.
    """
    if user_id is None and not session_id:
        return []
    events = Interaction.objects.all()
    if user_id is not None and session_id:
        events = events.filter(user_id=user_id) | events.filter(session_id=session_id)
    elif user_id is not None:
        events = events.filter(user_id=user_id)
    else:
        events = events.filter(session_id=session_id, user__isnull=True)
    events = events.annotate(
        consumable=Exists(
            ProductTag.objects.filter(
                content_object_id=OuterRef("product_id"),
                tag__name__iexact=consumable_tag,
            )
        )
    ).order_by("-created_at", "-pk")[:limit]
    return [
        HistoryEvent(product_id, kind, created_at.timestamp(), consumable)
        for product_id, kind, created_at, consumable in events.values_list(
            "product_id", "kind", "created_at", "consumable"
        )
    ]
