"""The header's account links."""

from django import template

from shop.core.personal import is_personal

register = template.Library()


@register.simple_tag(takes_context=True)
def signed_in_user(context):
    """`{% signed_in_user as shopper %}`: the signed-in user, or None. A request
    without our cookies is nobody's and is not looked up: its catalog page
    stays shareable (see shop.core.personal)."""
    request = context.get("request")
    if request is None or not is_personal(request):
        return None
    return request.user if request.user.is_authenticated else None
