"""Template helpers shared by every theme."""

from html import unescape

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Page, Site

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


@register.simple_tag(takes_context=True)
def breadcrumbs(context, page):
    """The live pages from the request's site root down to the page's parent,
    in one query; empty outside a site."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None or not page:
        return Page.objects.none()
    return (
        Page.objects.live()
        .ancestor_of(page)
        .filter(depth__gte=site.root_page.depth)
        .order_by("depth")
    )


@register.filter
def cheapest_variant(product):
    """The lowest-priced of a product's prefetched active variants, or None."""
    variants = [variant for variant in product.variants.all() if variant.is_active]
    return min(variants, key=lambda variant: variant.price, default=None)


@register.filter
def is_discounted(variant):
    return bool(variant.compare_at_price and variant.compare_at_price > variant.price)


# Search engines show about this many characters of a description.
META_DESCRIPTION_LENGTH = 160


@register.simple_tag
def meta_description(page):
    """The page's search description (Promote tab), else the start of its own
    text (a product's description, a category's intro), else "". Views outside
    the page tree may hold something else under `page` (a paginator's page)."""
    if not isinstance(page, Page):
        return ""
    if page.search_description:
        return page.search_description
    text = getattr(page, "description", "") or getattr(page, "intro", "")
    return Truncator(" ".join(unescape(strip_tags(text)).split())).chars(
        META_DESCRIPTION_LENGTH
    )
