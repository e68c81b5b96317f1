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

Never stale: an entry's key holds the catalog's generations (cms.readmodel:
``CATALOG``, ``TREE``) read before the page is rendered, and a product page's
entry also remembers its product's generation, checked on every hit. Every
price, stock, publish or tree change starts new generations once it commits,
so the next request renders afresh. The site's theme is checked on every hit
too (a ThemeSettings change shows at once). When the cache is unreachable,
pages are rendered as if there were no cache.

Responses served by it carry an ETag and ``Cache-Control: public, no-cache``
(browsers and shared caches may keep them but revalidate on every use, and a
matching ``If-None-Match`` gets a 304), with ``Vary: Cookie`` so that no shared
cache hands them to a visitor with a session.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from wagtail import views as wagtail_views
from wagtail.models import Site

from cms import readmodel
from cms.models import CategoryPage, ProductPage
from themes.middleware import theme_for_site
from themes.models import theme_cache_key

CACHE_CONTROL = "public, no-cache"


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
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and serves_pages(request)
    )


def page_key(request) -> str | None:
    """The entry's key for this request; None when the cache is unreachable."""
    return readmodel.cache_key(
        "page",
        [readmodel.CATALOG, readmodel.TREE],
        request.get_host(),
        request.get_full_path(),
    )


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


def make_entry(site: Site, theme: str, response, page) -> dict | None:
    """What a hit needs; `site` and `theme` as they were before rendering."""
    product = None
    if isinstance(page, ProductPage):
        name = readmodel.product(page.pk)
        tokens = readmodel.current([name])
        if tokens is None:
            return None
        product = (name, tokens[name])
    return {
        "site": site.pk,
        "theme": theme,
        "product": product,
        "headers": list(response.items()),
        "content": response.content,
        "etag": f'"{hashlib.sha256(response.content).hexdigest()[:32]}"',
    }


def still_fresh(entry: dict) -> bool:
    if cache.get(theme_cache_key(entry["site"])) != entry["theme"]:
        return False
    if entry["product"] is None:
        return True
    name, token = entry["product"]
    return readmodel.current([name]) == {name: token}


def mark_public(response, etag: str) -> None:
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ["Cookie"])


def from_entry(request, entry: dict) -> HttpResponse:
    if entry["etag"] in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry["content"])
        for name, value in entry["headers"]:
            response[name] = value
    mark_public(response, entry["etag"])
    return response


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
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None and still_fresh(entry):
            return from_entry(request, entry)
        # Wagtail's serving reuses the site found here (no extra query).
        site = Site.find_for_request(request)
        if site is None:
            return self.get_response(request)
        theme = theme_for_site(site)
        response = self.get_response(request)
        page = cacheable_page(response)
        entry = page and make_entry(site, theme, response, page)
        if entry:
            cache.set(key, entry, timeout=readmodel.ENTRY_TIMEOUT)
            mark_public(response, entry["etag"])
        return response
