"""Read-side queries over the catalog, shared by blocks, templates and the API."""

from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Length, Substr
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Page
from wagtail.models.sites import SiteRootPath

from cms.models import (
    CategoryPage,
    ProductCollection,
    ProductCollectionItem,
    ProductImage,
    ProductPage,
    Review,
    ReviewStatus,
    Variant,
)

# The renditions every API image carries, by name; prefetched with the images.
IMAGE_RENDITIONS = {"thumbnail": "fill-300x300", "large": "max-1200x1200"}
# Built once: Wagtail parses a Filter's operations (slowly, with inspect) once per
# Filter instance, and get_renditions("spec") makes new instances on every call.
_RENDITION_FILTERS = {name: Filter(spec) for name, spec in IMAGE_RENDITIONS.items()}
# A search ranks at most this many products; the filters narrow them further.
SEARCH_RESULT_LIMIT = 1000


def product_cards() -> QuerySet[ProductPage]:
    """Live products with what a product card shows, in a fixed number of queries."""
    return with_card_prefetches(ProductPage.objects.live())


def gallery() -> QuerySet[ProductImage]:
    """Product images in gallery order (the first is the main image)."""
    return ProductImage.objects.select_related("image").order_by("sort_order", "id")


def with_card_prefetches(products: QuerySet[ProductPage]) -> QuerySet[ProductPage]:
    """`products` with the gallery and active variants a product card reads."""
    return products.prefetch_related(
        Prefetch("images", queryset=gallery()),
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


def _parent_category_id() -> Subquery:
    """The id of the category one tree level above the outer page, if any."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
    return Subquery(CategoryPage.objects.filter(path=parent_path).values("pk")[:1])


def product_images() -> QuerySet[ProductImage]:
    """Images in gallery order with the API renditions prefetched on each image."""
    Rendition = get_image_model().get_rendition_model()
    return (
        ProductImage.objects.select_related("image")
        .prefetch_related(
            Prefetch(
                "image__renditions",
                queryset=Rendition.objects.filter(
                    filter_spec__in=IMAGE_RENDITIONS.values()
                ),
                # The attribute Wagtail's get_renditions() looks in first.
                to_attr="prefetched_renditions",
            )
        )
        .order_by("sort_order", "id")
    )


def api_renditions(image) -> dict:
    """The IMAGE_RENDITIONS of an image by name, from its prefetched renditions.

    Only a missing rendition goes through Wagtail's get_renditions(), which makes
    it; reading prefetched ones directly also skips the cache write-back that
    get_renditions() does for every image on every call.
    """
    prefetched = {
        (rendition.filter_spec, rendition.focal_point_key): rendition
        for rendition in getattr(image, "prefetched_renditions", ())
    }
    found = {
        name: prefetched.get(
            (rendition_filter.spec, rendition_filter.get_cache_key(image))
        )
        for name, rendition_filter in _RENDITION_FILTERS.items()
    }
    if None in found.values():
        made = image.get_renditions(*_RENDITION_FILTERS.values())
        found = {name: made[f.spec] for name, f in _RENDITION_FILTERS.items()}
    return found


def with_active_variant(condition: Q | None = None) -> Exists:
    """True for the outer product when one of its active variants meets `condition`."""
    variants = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
    return Exists(variants.filter(condition) if condition else variants)


def in_stock() -> Coalesce:
    """True when an active variant of the outer product has unallocated stock.

    A LIMIT 1 scalar subquery rather than EXISTS: PostgreSQL evaluates it for the
    page's rows only, where it would hash every variant's stock for an EXISTS in
    the select list (50 ms of a 60 ms list query on 10k products).
    """
    stocked = Variant.objects.filter(
        product=OuterRef("pk"),
        is_active=True,
        stock__quantity__gt=F("stock__quantity_allocated"),
    )
    return Coalesce(
        Subquery(stocked.annotate(yes=Value(True)).values("yes")[:1]),
        Value(False),
    )


def sellable_products() -> QuerySet[ProductPage]:
    """Live products with at least one active variant."""
    return ProductPage.objects.live().filter(with_active_variant())


def catalog_products() -> QuerySet[ProductPage]:
    """Live products that have an active variant, priced and stocked from them.

    `price`, `compare_at_price` and `currency` are those of the cheapest active
    variant; `in_stock` is true when some active variant has unallocated stock.
    """
    cheapest = Variant.objects.filter(product=OuterRef("pk"), is_active=True).order_by(
        "price", "id"
    )
    return sellable_products().annotate(
        price=Subquery(cheapest.values("price")[:1]),
        compare_at_price=Subquery(cheapest.values("compare_at_price")[:1]),
        currency=Subquery(cheapest.values("currency")[:1]),
        in_stock=in_stock(),
        category_id=_parent_category_id(),
    )


def product_list() -> QuerySet[ProductPage]:
    """Catalog products with their gallery, for list items and cards."""
    return catalog_products().prefetch_related(
        Prefetch("images", queryset=product_images())
    )


def product_detail() -> QuerySet[ProductPage]:
    """Catalog products with everything the detail view shows, in fixed queries."""
    return product_list().prefetch_related(
        "tags",
        Prefetch(
            "variants",
            queryset=Variant.objects.filter(is_active=True)
            .select_related("stock")
            .order_by("id"),
        ),
    )


def category_path(product: ProductPage) -> QuerySet[CategoryPage]:
    """The categories above a product, from the top of the tree down."""
    return CategoryPage.objects.live().ancestor_of(product).order_by("path")


def search_product_ids(query: str) -> list[int]:
    """Ids of live products matching a full-text query, most relevant first.

    Wagtail's search backends accept only indexed FilterFields as filters, so the
    catalog filters (stock, prices, tree) cannot be pushed into the search itself;
    the API narrows its queryset to these ids instead.
    """
    results = ProductPage.objects.live().only("pk").search(query)
    return [product.pk for product in results[:SEARCH_RESULT_LIMIT]]


def in_given_order(ids: list[int]) -> Case:
    """An expression ranking rows by the position of their pk in `ids`."""
    return Case(
        *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)),
        default=Value(len(ids)),
        output_field=IntegerField(),
    )


def live_categories() -> QuerySet[CategoryPage]:
    """Live categories in tree order, with their parent id and live product count."""
    return (
        CategoryPage.objects.live()
        .annotate(
            parent_id=_parent_category_id(),
            product_count=Subquery(
                sellable_products()
                .filter(path__startswith=OuterRef("path"))
                .order_by()
                # COUNT over the whole subquery: a Func adds no GROUP BY.
                .annotate(count=Func(F("pk"), function="COUNT"))
                .values("count")
            ),
        )
        .order_by("path")
    )


def published_collections() -> QuerySet[ProductCollection]:
    """Published collections with their catalog products in the curated order."""
    return ProductCollection.objects.filter(is_published=True).prefetch_related(
        Prefetch(
            "items",
            queryset=ProductCollectionItem.objects.filter(
                product__in=catalog_products().values("pk")
            )
            .order_by("sort_order", "id")
            .prefetch_related(Prefetch("product", queryset=product_list())),
        )
    )


def approved_reviews(product: ProductPage) -> QuerySet[Review]:
    return (
        Review.objects.filter(product=product, status=ReviewStatus.APPROVED)
        .select_related("user")
        .order_by("-created_at", "-id")
    )


def page_url(url_path: str, root_paths: list[SiteRootPath]) -> str | None:
    """A page's full URL from its url_path; None outside every site's tree."""
    for root in root_paths:
        if url_path.startswith(root.root_path):
            return root.root_url + url_path[len(root.root_path) - 1 :]
    return None
