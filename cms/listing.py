"""A storefront list page of products: the category page and the search page.

The shopper's query string goes through the API's ProductFilter (one filter
implementation); this module adds what an HTML page needs on top: the page of
cards, the sort options, and the count of products behind each facet option.

Facet counts are disjunctive, as shoppers expect from Shopify or Saleor: an
option's count is the number of products the page would list with that option
chosen and every other filter kept, so choosing a second colour shows how many
more products it brings. The page costs a fixed number of queries whatever the
page size or the number of options: the result count, the page of cards with
its prefetches, and one grouped count per facet.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict

from cms import selectors
from cms.filters import ORDERINGS, ProductFilter, any_iexact
from cms.models import Gender, ProductPage, Variant

SORT_LABELS = {
    "popularity": "Most popular",
    "price": "Price: low to high",
    "-price": "Price: high to low",
    "newest": "Newest",
    "rating": "Best rated",
}
# "4 & up": a rating facet's options, highest first.
RATING_STEPS = (4, 3, 2, 1)
# Clothing sizes in the order a shopper reads them; other sizes follow, sorted.
SIZE_ORDER = {
    size: rank
    for rank, size in enumerate(("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"))
}
# Parameters that change the products listed (not their order or page).
FILTER_PARAMETERS = (
    "gender",
    "size",
    "color",
    "material",
    "price_min",
    "price_max",
    "in_stock",
    "rating_min",
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Listing:
    filters: ProductFilter
    products: Page
    sort_options: list[tuple[str, str]]
    ordering: str
    facets: dict[str, list[Option]] = field(default_factory=dict)
    in_stock_count: int = 0
    # The query string without `page`, for the pagination links.
    query: str = ""

    @property
    def errors(self):
        return self.filters.errors

    @property
    def is_filtered(self) -> bool:
        data = self.filters.form.cleaned_data
        return any(data.get(name) not in (None, "", []) for name in FILTER_PARAMETERS)


def cards() -> QuerySet[ProductPage]:
    """Catalog products (priced and stocked) with what a product card shows."""
    return selectors.with_card_prefetches(
        selectors.catalog_products()
    ).prefetch_related("images__image__renditions")


def product_listing(
    query: QueryDict,
    products: QuerySet[ProductPage],
    *,
    per_page: int,
    default_ordering: str = "",
) -> Listing:
    """Filters, sorts and paginates `products` (a catalog_products() queryset)
    from the request's query string, with the facet counts."""
    data = query.copy()
    if default_ordering and not data.get("ordering"):
        data["ordering"] = default_ordering
    filters = ProductFilter(data, queryset=products)
    page = Paginator(filters.qs, per_page).get_page(data.get("page"))
    cleaned = filters.form.cleaned_data
    sort_options = [(key, SORT_LABELS[key]) for key in ORDERINGS]
    if cleaned.get("q"):
        sort_options.insert(0, ("", "Relevance"))
    # The facets count among the search results, searched once above.
    base = products
    if hasattr(filters, "search_ids"):
        base = base.filter(pk__in=filters.search_ids)
    links = query.copy()
    links.pop("page", None)
    return Listing(
        filters=filters,
        products=page,
        sort_options=sort_options,
        ordering=cleaned.get("ordering") or "",
        facets=_facets(base, data, cleaned),
        in_stock_count=_others(base, data, "in_stock").filter(in_stock=True).count(),
        query=links.urlencode(),
    )


def _others(products, data: QueryDict, facet: str) -> QuerySet[ProductPage]:
    """`products` narrowed by every filter but `facet`'s (and the search, which
    `products` already holds), unordered."""
    others = data.copy()
    for name in (facet, "q", "ordering", "page"):
        others.pop(name, None)
    return ProductFilter(others, queryset=products).qs.order_by()


def _facets(products, data: QueryDict, cleaned: dict) -> dict[str, list[Option]]:
    gender = dict(
        _others(products, data, "gender")
        .values_list("gender")
        .annotate(count=Count("pk"))
    )
    material = dict(
        _others(products, data, "material")
        .exclude(material="")
        .values_list("material")
        .annotate(count=Count("pk"))
    )
    ratings = _others(products, data, "rating_min").aggregate(
        **{
            str(step): Count("pk", filter=Q(rating_average__gte=step))
            for step in RATING_STEPS
        }
    )
    rating_min = cleaned.get("rating_min")
    return {
        "gender": [
            Option(value, label, gender.get(value, 0), cleaned.get("gender") == value)
            for value, label in Gender.choices
            if gender.get(value) or cleaned.get("gender") == value
        ],
        "size": _options(
            _variant_counts(products, data, cleaned, "size", "color"),
            cleaned.get("size") or [],
            key=lambda value: (SIZE_ORDER.get(value.upper(), len(SIZE_ORDER)), value),
        ),
        "color": _options(
            _variant_counts(products, data, cleaned, "color", "size"),
            cleaned.get("color") or [],
        ),
        "material": _options(material, cleaned.get("material") or []),
        "rating_min": [
            Option(
                str(step),
                f"{step} stars & up",
                ratings[str(step)],
                rating_min is not None and rating_min == Decimal(step),
            )
            for step in RATING_STEPS
        ],
    }


def _variant_counts(products, data, cleaned, facet: str, other: str) -> dict:
    """Products per value of a variant facet (size or colour). The other variant
    facet's choice stays, on the same variant, as the filter itself reads them."""
    variants = Variant.objects.filter(
        is_active=True, product__in=_others(products, data, facet).values("pk")
    ).exclude(**{facet: ""})
    if cleaned.get(other):
        variants = variants.filter(any_iexact(other, cleaned[other]))
    return dict(
        variants.values_list(facet)
        .annotate(count=Count("product", distinct=True))
        .order_by()
    )


def _options(counts: dict, selected: list[str], key=None) -> list[Option]:
    """Every value with products, and every chosen value (so that it can be
    unchosen), matched ignoring case as the filter matches."""
    chosen = {value.lower() for value in selected}
    merged: dict[str, tuple[str, int]] = {}
    for value, count in counts.items():
        label, total = merged.get(value.lower(), (value, 0))
        merged[value.lower()] = (label, total + count)
    for value in selected:
        merged.setdefault(value.lower(), (value, 0))
    values = sorted(merged.values(), key=(lambda pair: key(pair[0])) if key else None)
    return [
        Option(label, label, count, label.lower() in chosen) for label, count in values
    ]
