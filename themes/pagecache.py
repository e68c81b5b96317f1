"""Whole storefront catalog pages for anonymous visitors, cached until the
catalog changes.

A category or product page that an anonymous visitor without a session cookie
asks for is the same for every such visitor, so the rendered response is kept
in the Django cache and served from there to the next one, without routing,
queries or templates. Everything else goes through untouched: other methods,
requests with a session cookie (signed-in shoppers, carts), any view but
Wagtail's page serving (the API, the admin, the storefront's cart, checkout
and account views), other page types (home and landing pages show
per-shopper recommendation blocks), and any response that is not a plain 200,
sets a cookie (a CSRF token in a form) or says it is private.

Never stale: an entry remembers the catalog's generations (cms.readmodel:
``CATALOG``, ``TREE``, read before the page is rendered, and a product page's
own product generation) and its site's theme, and a hit checks them all in
one round trip to the cache (the entry itself usually comes from the
process's memory). Every price, stock, publish or tree change starts
new generations once it commits, so the next request renders afresh (and
replaces the entry: one per host and path). A ThemeSettings change shows at
once too. When the cache is unreachable, pages are rendered as if there were
no cache.

Responses served by it carry an ETag and ``Cache-Control: public, no-cache``
(browsers and shared caches may keep them but revalidate on every use, and a
matching ``If-None-Match`` gets a 304), with ``Vary: Cookie`` so that no shared
cache hands them to a visitor with a session.
"""

import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers
from wagtail import views as wagtail_views
from wagtail.models import Site

from cms import readmodel
from cms.api.caching import LOCAL_ANSWERS, LocalAnswers, etag_of
from cms.models import CategoryPage, ProductPage
from shop.core.personal import is_personal
from themes.middleware import theme_for_site
from themes.models import theme_cache_key

CACHE_CONTROL = "public, no-cache"
# Entries each process keeps in memory as well (about 10-30 kB each), so that
# a hit costs one round trip to the cache, the freshness check, not two.
recent = LocalAnswers(LOCAL_ANSWERS)


def serves_pages(request) -> bool:
    """Whether the request's path goes to Wagtail's page serving."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.func is wagtail_views.serve


def anonymous_page_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        # A visitor with our CSRF cookie but no session gets a form token on
        # the page (and needs it with JavaScript off): pages of their own.
        and not is_personal(request)
        and serves_pages(request)
    )


def page_key(request) -> str:
    """One entry per host and full path (query string included), whatever the
    generation: a newer render replaces an older one."""
    address = f"{request.get_host()}{request.get_full_path()}"
    return f"pagecache:{hashlib.sha256(address.encode()).hexdigest()}"


def generations(names: list[str]) -> dict[str, str] | None:
    """The generations' cache keys and current tokens; None when the cache is
    unreachable."""
    tokens = readmodel.current(names)
    if tokens is None:
        return None
    return {readmodel.KEY_PREFIX + name: token for name, token in tokens.items()}


def cacheable_page(response):
    """The served catalog page when the response can go to every anonymous
    visitor, else None."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Cache-Control")
    ):
        return None
    page = (getattr(response, "context_data", None) or {}).get("page")
    return page if isinstance(page, (CategoryPage, ProductPage)) else None


def make_entry(depends: dict[str, str], response, page) -> dict | None:
    """What a hit needs. `depends` maps cache keys (the catalog's generations,
    the site's theme) to their values before rendering; a product page adds
    its product's generation."""
    if isinstance(page, ProductPage):
        product = generations([readmodel.product(page.pk)])
        if product is None:
            return None
        depends = {**depends, **product}
    return {
        "depends": depends,
        "headers": list(response.items()),
        "content": response.content,
        "etag": etag_of(response.content),
    }


def still_fresh(entry: dict) -> bool:
    """Whether every generation and the theme the entry was built with are
    still current: one round trip to the cache."""
    return cache.get_many(list(entry["depends"])) == entry["depends"]


def fresh_entry(key: str) -> dict | None:
    """The entry for `key` if it is still fresh: from this process's memory
    when it holds it, else from the cache."""
    entry = recent.get(key)
    if entry is not None and still_fresh(entry):
        return entry
    entry = cache.get(key)
    if entry is not None and still_fresh(entry):
        recent.put(key, entry)
        return entry
    return None


def mark_public(response, etag: str) -> None:
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ["Cookie"])


def from_entry(request, entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response[name] = value
    mark_public(response, entry["etag"])
    # A 304 when If-None-Match names the entry, as the API's cached answers do.
    return get_conditional_response(request, etag=entry["etag"], response=response)


class PageCacheMiddleware:
    """Serves anonymous visitors' category and product pages from the cache.

    Sits before the session, CSRF and authentication middlewares: a hit skips
    them, and a miss sees every cookie they set (a response that sets one is
    never cached).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not anonymous_page_request(request):
            return self.get_response(request)
        key = page_key(request)
        entry = fresh_entry(key)
        if entry is not None:
            return from_entry(request, entry)
        # Wagtail's serving reuses the site found here (no extra query).
        site = Site.find_for_request(request)
        catalog = generations([readmodel.CATALOG, readmodel.TREE])
        if site is None or catalog is None:
            return self.get_response(request)
        depends = {theme_cache_key(site.pk): theme_for_site(site), **catalog}
        response = self.get_response(request)
        page = cacheable_page(response)
        entry = page and make_entry(depends, response, page)
        if entry:
            cache.set(key, entry, timeout=readmodel.ENTRY_TIMEOUT)
            recent.put(key, entry)
            mark_public(response, entry["etag"])
        return response
