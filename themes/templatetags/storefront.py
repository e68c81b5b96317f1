"""Template helpers shared by every theme."""

from django import template
from wagtail.models import Site

from cms.models import CategoryPage

register = template.Library()


@register.simple_tag(takes_context=True)
def top_categories(context):
    """Live categories right under the request's site root, in tree order."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return CategoryPage.objects.none()
    return CategoryPage.objects.live().child_of(site.root_page).order_by("path")


@register.filter
def cheapest_variant(product):
    """The lowest-priced of a product's prefetched active variants, or None."""
    variants = [variant for variant in product.variants.all() if variant.is_active]
    return min(variants, key=lambda variant: variant.price, default=None)


@register.filter
def is_discounted(variant):
    return bool(variant.compare_at_price and variant.compare_at_price > variant.price)
