"""Recommendations as product cards for the storefront's templates (the
Recommendations block and "you may also like" on the product page), through the
template tags in recommend.templatetags.recommend.

A list costs one store round trip and a fixed number of queries whatever its
length: the ranked page of summaries (filters applied), then the cards for it.
"""

from cms.blocks import RecommendationSource
from cms.models import ProductPage
from cms.selectors import product_cards
from recommend import services, shoppers

ALSO_LIKE_LIMIT = 8


def cards(
    ranked: services.Ranked, *, limit: int, filters: services.Filters | None = None
) -> list[ProductPage]:
    summaries = services.product_summaries(ranked, limit=limit, filters=filters)
    ids = [summary["id"] for summary in summaries]
    by_id = product_cards().prefetch_related("images__image__renditions").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


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
    category_id = value["category"].pk if value.get("category") else None
    filters = services.Filters(category_id=category_id)
    if value["source"] == RecommendationSource.POPULAR:
        ranked, filters = services.popular_ids(category_id), None
    elif value["source"] == RecommendationSource.SIMILAR:
        # A deleted product leaves the chooser empty: nothing to be like.
        product = value.get("product")
        ranked = services.similar_ids(product.pk) if product else None
    else:
        ranked = for_shopper(request)
    if ranked is None:
        return []
    return cards(ranked, limit=value["limit"], filters=filters)
