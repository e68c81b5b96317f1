"""Which cart a request means.

- A signed-in user (session or token): their own cart, whatever else is sent.
- An `X-Cart-Token` header: the anonymous cart with that token (headless
  clients; no cookies involved).
- Otherwise the anonymous cart whose token the session keeps (the storefront).
  That cart rides on a cookie, so writes from a browser must pass the CSRF
  check, as DRF's SessionAuthentication requires of signed-in session users;
  a request without any cookie (a headless client) is not subject to it.
"""

import uuid

from rest_framework.authentication import SessionAuthentication

from shop.cart import services
from shop.cart.models import Cart
from shop.core.personal import is_personal

HEADER = "X-Cart-Token"
SESSION_KEY = "cart_token"


def _not_found() -> services.CartError:
    return services.CartError("cart_not_found", "No such cart; forget the token.")


def _parse(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise _not_found() from exc


def anonymous_token(request) -> tuple[uuid.UUID | None, bool]:
    """The anonymous cart token the request carries, and whether from the header."""
    header = request.headers.get(HEADER)
    if header is not None:
        return _parse(header), True
    stored = request.session.get(SESSION_KEY)
    return (_parse(stored) if stored else None), False


def enforce_csrf_for_session_cart(request) -> None:
    """Browsers (any cookie of ours: a session or the CSRF cookie) must pass
    the CSRF check; a request with no cookie at all carries nothing ambient to
    forge, so a headless client's first POST /cart/ needs no header."""
    if request.user.is_authenticated or HEADER in request.headers:
        return
    if not request.COOKIES:
        return
    SessionAuthentication().enforce_csrf(request)


def find_cart(request) -> Cart | None:
    if request.user.is_authenticated:
        return services.find_cart(user=request.user)
    token, from_header = anonymous_token(request)
    cart = services.find_cart(token=token)
    if token is not None and cart is None:
        if from_header:
            raise _not_found()
        # The session outlived its cart (merged, cleaned up): start afresh.
        del request.session[SESSION_KEY]
    return cart


def get_or_create_cart(request) -> Cart:
    if request.user.is_authenticated:
        return services.get_or_create_cart(user=request.user)
    cart = find_cart(request)
    if cart is None:
        # Only a session request gets here: a header names a cart or is refused.
        cart = services.get_or_create_cart()
        request.session[SESSION_KEY] = str(cart.token)
    return cart


def cart_to_merge(request, body_token=None) -> Cart | None:
    """At sign-in: the anonymous cart named in the body, the header or the
    session; None when there is none (an unknown token is no error here)."""
    try:
        token = _parse(body_token) if body_token else anonymous_token(request)[0]
    except services.CartError:
        return None
    request.session.pop(SESSION_KEY, None)
    return services.find_cart(token=token) if token else None


def item_count(request) -> int:
    """Units in the request's cart, for the storefront's mini-cart. Without a
    session cookie nothing is looked up (see shop.core.personal)."""
    if not is_personal(request):
        return 0
    if request.user.is_authenticated:
        return services.item_count(user=request.user)
    try:
        token, _ = anonymous_token(request)
    except services.CartError:
        return 0
    return services.item_count(token=token)


def merge_into_user(request, user, body_token=None) -> services.MergeReport | None:
    """At sign-in: moves the anonymous cart (see cart_to_merge) into the user's;
    None when there was none."""
    cart = cart_to_merge(request, body_token)
    return services.merge_anonymous_cart_into_user(cart, user) if cart else None
