"""Reads the catalog and the interactions for training, in bulk.

A fixed number of queries whatever the catalog size: categories, products,
variants, tags and interactions are each read with one query, streamed in
chunks (a server-side cursor on PostgreSQL).
"""

from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

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


def _shared(values: dict, value):
    """One object per distinct value (a million products repeat a few dozen
    sizes, colors, tags and category paths)."""
    return values.setdefault(value, value)


def load_catalog() -> Catalog:
    """Live products that have an active variant, with their attributes.

    Variants, tags and products are streamed in chunks (a server-side cursor on
    PostgreSQL); per product only the distinct sizes, colors and tags and the
    lowest price are kept, so memory grows with the products, not their rows.
    """
    categories = {
        path: (pk, title)
        for pk, path, title in CategoryPage.objects.values_list("pk", "path", "title")
    }
    shared: dict = {}
    # product id -> (sizes, colors, lowest price)
    variants: dict[int, tuple[tuple[str, ...], tuple[str, ...], float]] = {}
    rows = (
        Variant.objects.filter(is_active=True)
        .values_list("product_id", "size", "color", "price")
        .order_by("product_id")
    )
    for product_id, group in groupby(
        rows.iterator(chunk_size=STREAM_CHUNK), key=itemgetter(0)
    ):
        group = list(group)
        variants[product_id] = (
            _shared(
                shared, tuple(dict.fromkeys(size for _, size, _, _ in group if size))
            ),
            _shared(
                shared, tuple(dict.fromkeys(color for _, _, color, _ in group if color))
            ),
            float(min(price for _, _, _, price in group)),
        )
    tags = {}
    tag_rows = ProductTag.objects.values_list(
        "content_object_id", "tag__name"
    ).order_by("content_object_id", "tag__name")
    for product_id, group in groupby(
        tag_rows.iterator(chunk_size=STREAM_CHUNK), key=itemgetter(0)
    ):
        tags[product_id] = _shared(shared, tuple(name for _, name in group))
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
    # parent page path -> (category titles, category ids), top-level first
    parents: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {}
    step = Page.steplen
    for row in products.order_by("pk").iterator(chunk_size=STREAM_CHUNK):
        pk, path, title, description, brand, gender, material, rating, ratings = row
        if pk not in variants:
            continue
        sizes, colors, price = variants.pop(pk)
        parent = path[:-step]
        if parent not in parents:
            ancestors = [
                categories[path[:end]]
                for end in range(step, len(path), step)
                if path[:end] in categories
            ]
            parents[parent] = (
                tuple(title for _, title in ancestors),
                tuple(pk for pk, _ in ancestors),
            )
        category_path, ancestor_ids = parents[parent]
        items.append(
            Item(
                id=pk,
                title=title,
                description=description,
                category_path=category_path,
                gender=_shared(shared, gender),
                brand=_shared(shared, brand),
                colors=colors,
                materials=_shared(shared, (material,) if material else ()),
                sizes=sizes,
                tags=tags.get(pk, ()),
                price=price,
                rating=float(rating) if ratings else None,
            )
        )
        category_ids.append(ancestor_ids)
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
