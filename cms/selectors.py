"""Read-side queries over the catalog, shared by blocks, templates and the API."""

from django.db.models import Prefetch, QuerySet

from cms.models import ProductCollectionItem, ProductImage, ProductPage, Variant


def product_cards() -> QuerySet[ProductPage]:
    """Live products with what a product card shows, in a fixed number of queries."""
    return ProductPage.objects.live().prefetch_related(
        Prefetch(
            "images",
            queryset=ProductImage.objects.select_related("image").order_by(
                "sort_order", "id"
            ),
        ),
        Prefetch(
            "variants",
            queryset=Variant.objects.filter(is_active=True).select_related("stock"),
        ),
    )


def carousel_products(value) -> list[ProductPage]:
    """The products a ProductCarouselBlock value points at, in display order."""
    from cms.blocks import ProductSource

    limit = value["limit"]
    source = value["source"]
    if source == ProductSource.CATEGORY and value.get("category"):
        category = value["category"]
        return list(
            product_cards()
            .descendant_of(category)
            .order_by("-popularity", "pk")[:limit]
        )
    if source == ProductSource.COLLECTION and value.get("collection"):
        product_ids = list(
            ProductCollectionItem.objects.filter(collection=value["collection"])
            .order_by("sort_order", "id")
            .values_list("product_id", flat=True)[:limit]
        )
        by_id = product_cards().in_bulk(product_ids)
        return [by_id[pk] for pk in product_ids if pk in by_id]
    if source == ProductSource.HAND_PICKED:
        product_ids = [page.pk for page in value.get("products") or [] if page][:limit]
        by_id = product_cards().in_bulk(product_ids)
        return [by_id[pk] for pk in product_ids if pk in by_id]
    return []
