"""Which requests get pages of their own.

A request that carries the session cookie or the CSRF cookie may see its cart,
its name or a form token on any page: it is personal, and a shared cache must
pass it through. Every other request (a first visit, a crawler) gets the same
catalog page as everyone else: the storefront looks up no cart and renders no
CSRF token for it, so that such pages can be shared.
"""

from django.conf import settings


def is_personal(request) -> bool:
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies or settings.CSRF_COOKIE_NAME in cookies
    )
