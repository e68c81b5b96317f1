"""Lookups for the API layer, the Wagtail block and the storefront.

Two steps per list, so that the cost does not depend on k:

1. `similar_ids`, `popular_ids`, `for_shopper_ids`: ranked (product id, score)
   pairs from the store in one round trip (`for_shopper_ids` also reads the
   shopper's history: one database query). They never raise when the store is
   down or not trained yet: they answer with the database popularity (cached in
   process memory) and set `Ranked.fallback`.
2. `ranked_products(ranked, products, limit=...)`: the first `limit` products
   of a catalog queryset (cms.selectors, narrowed by the catalog's own
   ProductFilter) among the ids, in ranking order, each with its `score`: one
   query for the page plus the queryset's prefetches. The lists hold more
   candidates than a page (SIMILAR_K, POPULAR_K), so filters rarely leave a
   list short.

The view of a REST endpoint is then::

    ranked = services.similar_ids(product_id)
    products = services.ranked_products(ranked, filtered_catalog, limit=limit)
    return {"fallback": ranked.fallback, "results": products}
"""

import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from cms import selectors
from cms.models import ProductPage
from recommend.data import shopper_history
from recommend.models import InteractionKind
from recommend.personal import defaults as personal_defaults
from recommend.store import STORE_ERRORS, decode_scored, get_store
from shop.core.redis_breaker import CircuitOpen

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ranked:
    """Product ids with scores, best first."""

    items: list[tuple[int, float]]
    # True when the store could not answer and this is the database popularity.
    fallback: bool = False
    version: str | None = None
    # Ids never to show (e.g. the product itself, purchased products).
    exclude: frozenset[int] = field(default_factory=frozenset)

    @property
    def ids(self) -> list[int]:
        return [item for item, _ in self.items if item not in self.exclude]


def _config():
    return settings.RECOMMEND


_fallback_cache: dict[str, tuple[float, list[tuple[int, float]]]] = {}


def database_popularity() -> list[tuple[int, float]]:
    """The most popular live products by their stored popularity (one query).

    Training keeps ProductPage.popularity; the answer is reused for
    FALLBACK_CACHE_SECONDS in process memory, since the shared cache may be the
    very Redis that is down.
    """
    cached = _fallback_cache.get("popular")
    if cached and cached[0] > time.monotonic():
        return cached[1]
    ranked = list(
        ProductPage.objects.live()
        .order_by("-popularity", "pk")
        .values_list("pk", "popularity")[: _config()["POPULAR_K"]]
    )
    expires = time.monotonic() + _config()["FALLBACK_CACHE_SECONDS"]
    _fallback_cache["popular"] = (expires, ranked)
    return ranked


def _read(fields: list[str]) -> tuple[str | None, list[str | None]] | None:
    """The store's answer, or None when it is unreachable."""
    try:
        return get_store().read(fields)
    except CircuitOpen:
        return None  # the breaker logged the failure that opened it
    except STORE_ERRORS as error:
        logger.warning("Recommendation store unreachable: %s", error)
        return None


def _fallback(exclude: Iterable[int] = ()) -> Ranked:
    return Ranked(database_popularity(), fallback=True, exclude=frozenset(exclude))


def _then(
    first: list[tuple[int, float]], filler: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """`first`, then the `filler` products not in it, scored 0 (they rank after)."""
    seen = {pk for pk, _ in first}
    return first + [(pk, 0.0) for pk, _ in filler if pk not in seen]


def similar_ids(product_id: int) -> Ranked:
    """Products like this one: content blended with co-occurrence and popularity,
    then popular products (a product newer than the model has only those)."""
    answer = _read([f"similar:{product_id}", "popular"])
    if answer is None or answer[0] is None:
        return _fallback(exclude=[product_id])
    version, (similar, popular) = answer
    return Ranked(
        _then(decode_scored(similar), decode_scored(popular)),
        version=version,
        exclude=frozenset([product_id]),
    )


def popular_ids(category_id: int | None = None) -> Ranked:
    """The most popular products, in the whole catalog or in a category subtree."""
    name = "popular" if category_id is None else f"popular:{category_id}"
    answer = _read([name])
    if answer is None or answer[0] is None:
        return _fallback()
    version, (value,) = answer
    return Ranked(decode_scored(value), version=version)


def for_shopper_ids(*, user_id: int | None = None, session_id: str = "") -> Ranked:
    """Recommendations from a shopper's history (a user, an anonymous session, or
    a user with the session they signed in from).

    Each distinct product of the history weighs its strongest kind's weight,
    halved every `half_life_items` products back from the newest; a candidate
    scores the weighted mean of its score in the history products' personal
    lists, plus the popularity weight times its scaled popularity (the model's
    weights and half-life, as training tuned them: recommend.personal).
    Purchased products are left out unless tagged consumable; popular products
    fill the rest of the list, so shoppers without history get the popular list.
    """
    config = _config()
    history = shopper_history(
        user_id=user_id,
        session_id=session_id,
        limit=config["HISTORY_LIMIT"],
        consumable_tag=config["CONSUMABLE_TAG"],
    )
    strongest: dict[int, float] = {}
    purchased = set()
    for event in history:  # newest first
        kind_weight = config["KIND_WEIGHTS"].get(event.kind, 0.0)
        strongest[event.product_id] = max(
            strongest.get(event.product_id, 0.0), kind_weight
        )
        if event.kind == InteractionKind.PURCHASE and not event.consumable:
            purchased.add(event.product_id)
    products = list(strongest)
    answer = _read(["model", "popular", *(f"personal:{pk}" for pk in products)])
    if answer is None or answer[0] is None:
        return _fallback(exclude=purchased)
    version, (model, popular, *lists) = answer
    model = json.loads(model) if model else personal_defaults(config).as_dict()
    half_life = model["half_life_items"]
    weights = {
        pk: strongest[pk] * (0.5 ** (back / half_life) if half_life > 0 else 1.0)
        for back, pk in enumerate(products)
    }
    total = sum(weights.values()) or 1.0
    scores: dict[int, float] = defaultdict(float)
    for product_id, value in zip(products, lists, strict=True):
        for candidate, score in decode_scored(value):
            scores[candidate] += weights[product_id] / total * score
    popular_pairs = decode_scored(popular)
    popularity_weight = model["weights"].get("popularity", 0.0)
    if popular_pairs and popularity_weight > 0:
        # The list's raw popularity, scaled as training scales it (log, top = 1).
        top = math.log1p(max(popular_pairs[0][1], 0.0)) or 1.0
        for candidate, raw in popular_pairs:
            scores[candidate] += popularity_weight * math.log1p(max(raw, 0.0)) / top
    ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
    return Ranked(
        _then(ranked, popular_pairs),
        version=version,
        exclude=frozenset(purchased),
    )


def ranked_products(
    ranked: Ranked, products: QuerySet[ProductPage], *, limit: int
) -> list[ProductPage]:
    """The first `limit` of `products` (a catalog queryset, already filtered)
    among the ranked ids, in ranking order, each with its `score`: one query
    for the page plus the queryset's prefetches, whatever the list's length."""
    ids = ranked.ids
    if not ids or limit <= 0:
        return []
    page = list(
        products.filter(pk__in=ids).order_by(selectors.in_given_order(ids), "pk")[
            :limit
        ]
    )
    scores = dict(ranked.items)
    for product in page:
        product.score = scores[product.pk]
    return page
