"""CSRF for the forms on shareable catalog pages (add to cart).

A shared cache may serve a catalog page to first visitors only if the page holds
no per-visitor token (shop.core.personal). Its add-to-cart form then posts
without a token, and without cookies: such a request carries no session and no
cart to act on, so there is nothing ambient to forge (the cart API treats a
cookie-less request the same way). A request that carries our cookies is
checked as Django checks every other form. A browser that says the post comes
from another site (Sec-Fetch-Site) is refused either way.
"""

from functools import wraps

from django.middleware.csrf import CsrfViewMiddleware
from django.views.csrf import csrf_failure
from django.views.decorators.csrf import csrf_exempt

from shop.core.personal import is_personal

CROSS_SITE = {"cross-site", "same-site"}


def csrf_protect_personal(view):
    @csrf_exempt
    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.headers.get("Sec-Fetch-Site") in CROSS_SITE:
            return csrf_failure(request, reason="Cross-site request.")
        if is_personal(request):
            refused = CsrfViewMiddleware(view).process_view(request, None, (), {})
            if refused is not None:
                return refused
        return view(request, *args, **kwargs)

    return checked
