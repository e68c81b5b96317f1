"""Recommendations as product cards for the storefront's templates (the
Recommendations block and "you may also like" on the product page).

A list costs one store round trip and a fixed number of queries whatever its
length: the ranked page of summaries (filters applied), then the cards for it.
"""

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
