"""Query parameters of the product list, for the REST API and the storefront.

One filter implementation: the API's product list, the recommender's lookups and
the storefront's category and search pages all filter through ProductFilter.

Enumerated parameters (`gender`, `ordering`, `in_stock`) and references
(`category`) reject unknown values with a 400. The free-text facets `size`,
`color` and `material` accept any value: one that no product has simply matches
nothing, so a client may offer facets from an older catalog without errors. They
are case-insensitive and repeatable (?color=red&color=blue means red or blue);
`size` and `color` given together must be met by the same active variant.
"""

import django_filters
from django import forms
from django.db.models import F, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cms import selectors
from cms.models import CategoryPage, Gender
from shop.core.money import AMOUNT

ORDERINGS = {
    "price": ("price", "pk"),
    "-price": ("-price", "pk"),
    "newest": (F("first_published_at").desc(nulls_last=True), "-pk"),
    "rating": ("-rating_average", "-rating_count", "pk"),
    "popularity": ("-popularity", "pk"),
}
# As the Variant.price column, so that no bound can overflow it.
PRICE_BOUNDS = {"min_value": 0, **AMOUNT}
# Without ?ordering (and without ?q): the merchandisers' order of the page tree.
DEFAULT_ORDERING = ("path",)


class CategoryField(forms.CharField):
    """Live categories given by id, or by slug.

    Slugs are unique among siblings only, so a slug may name several categories
    (e.g. "shirts" under both Men and Women): all of them count.
    """

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        # Ids longer than a bigint are not ids; they fall through to "unknown".
        is_id = value.isdigit() and len(value) <= 18
        lookup = {"pk": int(value)} if is_id else {"slug": value}
        categories = list(CategoryPage.objects.live().filter(**lookup))
        if not categories:
            # A parameter, not an f-string: the value may hold a "%".
            raise forms.ValidationError(
                "No category with id or slug %(value)r.",
                code="unknown_category",
                params={"value": value},
            )
        return categories


@extend_schema_field(OpenApiTypes.STR)
class CategoryFilter(django_filters.Filter):
    """Products anywhere below the given categories."""

    field_class = CategoryField

    def filter(self, qs, value):
        if not value:
            return qs
        below = Q()
        for category in value:
            below |= Q(path__startswith=category.path, depth__gt=category.depth)
        return qs.filter(below)


class AnyTextField(forms.MultipleChoiceField):
    """Repeatable free text: every value is valid."""

    def valid_value(self, value):
        return True


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class AnyOfFilter(django_filters.Filter):
    """Matches when the field equals one of the values, ignoring case."""

    field_class = AnyTextField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(any_iexact(self.field_name, value))


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class VariantFacetFilter(django_filters.Filter):
    """Declares a variant facet; ProductFilter applies the facets together."""

    field_class = AnyTextField

    def filter(self, qs, value):
        return qs


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """`true` or `false`; anything else is a 400, not a silently ignored filter."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
            empty_value=None,
            **kwargs,
        )


def any_iexact(field_name: str, values: list[str]) -> Q:
    condition = Q()
    for value in values:
        condition |= Q(**{f"{field_name}__iexact": value})
    return condition


class ProductFilter(django_filters.FilterSet):
    category = CategoryFilter(
        help_text="Category id or slug; products anywhere below it match."
    )
    gender = django_filters.ChoiceFilter(choices=Gender.choices)
    size = VariantFacetFilter(help_text="Repeatable; an active variant's size.")
    color = VariantFacetFilter(help_text="Repeatable; an active variant's colour.")
    material = AnyOfFilter(field_name="material", help_text="Repeatable.")
    price_min = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", **PRICE_BOUNDS
    )
    price_max = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", **PRICE_BOUNDS
    )
    in_stock = StrictBooleanFilter()
    rating_min = django_filters.NumberFilter(
        field_name="rating_average",
        lookup_expr="gte",
        min_value=0,
        max_value=5,
        max_digits=3,
        decimal_places=2,
    )
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Full-text search; results are ordered by relevance "
        "unless `ordering` is given.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS],
        method="filter_nothing",
        help_text="`price` and `-price` sort by the cheapest active variant; "
        "`newest`, `rating` and `popularity` put the highest first.",
    )

    def filter_search(self, queryset, name, value):
        ids = selectors.search_product_ids(value)
        # Kept for the storefront's facet counts, which search once per page.
        self.search_ids = ids
        return queryset.filter(pk__in=ids).annotate(
            relevance=selectors.in_given_order(ids)
        )

    def filter_nothing(self, queryset, name, value):
        # Sorting waits until every filter has run; see filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        facets = Q()
        for name in ("size", "color"):
            if data.get(name):
                facets &= any_iexact(name, data[name])
        if facets:
            queryset = queryset.filter(selectors.with_active_variant(facets))
        if data.get("ordering"):
            return queryset.order_by(*ORDERINGS[data["ordering"]])
        if data.get("q"):
            return queryset.order_by("relevance", "pk")
        return queryset.order_by(*DEFAULT_ORDERING)
