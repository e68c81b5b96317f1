"""What the theme templates need from the shopper's side of the shop: the
mini-cart, form tokens that keep catalog pages shareable, and availability."""

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.html import format_html

from shop.cart import identity, services
from shop.core.personal import is_personal

register = template.Library()

# At or below this many units a variant shows "Only N left".
LOW_STOCK = 5


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    """`{% cart_count as count %}`: units in the shopper's cart; 0, looked up
    nowhere, for a request without a session (the page stays shareable)."""
    request = context.get("request")
    return identity.item_count(request) if request is not None else 0


@register.simple_tag(takes_context=True)
def shopper_csrf_token(context):
    """The CSRF field of a form on a catalog page: only for personal requests.

    A first visit's page carries no token and sets no cookie, so a shared cache
    can serve it; its form posts without cookies, which the storefront's
    `csrf_protect_personal` views accept (there is nothing ambient to forge)."""
    request = context.get("request")
    if request is None or not is_personal(request):
        return ""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        get_token(request),
    )


@register.filter
def available(variant) -> int:
    """Units of a variant (its stock row loaded) that can still be sold."""
    return max(services.available_quantity(variant), 0)


@register.filter
def availability(variant) -> str:
    units = available(variant)
    if units <= 0:
        return "Sold out"
    if units <= LOW_STOCK:
        return f"Only {units} left"
    return "In stock"


@register.simple_tag
def max_line_quantity() -> int:
    return settings.CART_MAX_LINE_QUANTITY
