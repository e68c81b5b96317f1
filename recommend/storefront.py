"""Recommendations as product cards for the storefront's templates (the
Recommendations block and "you may also like" on the product page), through the
template tags in recommend.templatetags.recommend.

Also records the storefront's own events (add to cart) for the request's shopper.

A list costs one store round trip and a fixed number of queries whatever its
length: the ranked page of cards, with their prefetches.
"""

from django.utils import timezone

from cms.blocks import RecommendationSource
from cms.models import CategoryPage, ProductPage
from cms.selectors import product_cards, with_active_variant
from recommend import interactions, services, shoppers

ALSO_LIKE_LIMIT = 8


def cards(
    ranked: services.Ranked, *, limit: int, category: CategoryPage | None = None
) -> list[ProductPage]:
    """The ranked products for sale (below `category`, if given) as the
    templates' product cards."""
    products = (
        product_cards()
        .filter(with_active_variant())
        .prefetch_related("images__image__renditions")
    )
    if category is not None:
        products = products.descendant_of(category)
    return services.ranked_products(ranked, products, limit=limit)


def also_like(product: ProductPage) -> list[ProductPage]:
    return cards(services.similar_ids(product.pk), limit=ALSO_LIKE_LIMIT)


def for_shopper(request) -> services.Ranked:
    """The request's shopper's list (signed-in user and/or session); without a
    request or history, the popular list."""
    try:
        shopper = shoppers.shopper(request) if request is not None else None
    except shoppers.BadSessionId:
        shopper = None
    if shopper is None:
        return services.for_shopper_ids()
    return services.for_shopper_ids(
        user_id=shopper.user_id, session_id=shopper.session_id
    )


def block_cards(value, request) -> list[ProductPage]:
    """The cards of a Recommendations block (cms.blocks.RecommendationsBlock's
    value): its source's list, narrowed to its category, for the request's
    shopper."""
    category = value.get("category")
    if value["source"] == RecommendationSource.POPULAR:
        # The category's own popular list: no narrowing needed.
        ranked = services.popular_ids(category.pk if category else None)
        category = None
    elif value["source"] == RecommendationSource.SIMILAR:
        # A deleted product leaves the chooser empty: nothing to be like.
        product = value.get("product")
        ranked = services.similar_ids(product.pk) if product else None
    else:
        ranked = for_shopper(request)
    if ranked is None:
        return []
    return cards(ranked, limit=value["limit"], category=category)


def record(request, product_id: int, kind: str) -> None:
    """Records the request's shopper's interaction with a product (the
    storefront's add to cart: a form post, after the cart write)."""
    shopper = shoppers.browser_shopper(request)
    interactions.record(
        [
            interactions.Event(
                product_id=product_id,
                kind=kind,
                at=timezone.now(),
                user_id=shopper.user_id,
                session_id=shopper.session_id,
            )
        ]
    )
