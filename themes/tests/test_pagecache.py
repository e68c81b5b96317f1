"""Anonymous pages pages come from the page cache, never stale and never
someone else's: each freshness test starts from the real trigger (a publish,
the stock service, a variant save) and reads the page right after its commit."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from cms.tests.test_templates import catalog, default_theme  # noqa: F401 (fixtures)
from shop.stock import services as stock
from themes.models import ThemeSettings
from themes.pagecache import CACHE_CONTROL, cacheable_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(catalog):  # noqa: F811 (fixture)
    """Home, landing, category (shirts, linen) and product (oxford) pages."""
    return catalog


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def served(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304)
    return response


def from_cache(response) -> bool:
    # Only a rendered response carries its template context.
    return response.context is None


@pytest.mark.parametrize("name", ["shirts", "oxford"])
def test_a_second_anonymous_visitor_gets_the_page_from_the_cache(
    client, pages, name, django_assert_num_queries
):
    url = pages[name].url
    first = served(client, url)

    with django_assert_num_queries(0):
        second = served(client, url)

    assert not from_cache(first) and from_cache(second)
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["Cache-Control"] == first["Cache-Control"] == CACHE_CONTROL
    assert second["ETag"] == first["ETag"]
    assert second["Vary"] == "Cookie"
    assert second["X-Frame-Options"] == "DENY"


def test_a_matching_etag_revalidates_with_a_304(client, pages):
    url = pages["oxford"].url
    etag = served(client, url)["ETag"]

    response = served(client, url, if_none_match=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_query_strings_are_pages_of_their_own(client, pages):
    url = pages["oxford"].url
    served(client, url)

    other = client.get(url, {"reviews_page": 2})

    assert not from_cache(other)
    assert from_cache(client.get(url, {"reviews_page": 2}))


def test_home_and_landing_pages_are_never_cached(client, pages):
    for name in ("home", "landing"):
        served(client, pages[name].url)
        again = served(client, pages[name].url)
        assert not from_cache(again)
        assert not again.has_header("ETag")


def test_a_signed_in_shopper_never_gets_or_leaves_a_cached_page(client, pages, user):
    url = pages["oxford"].url
    client.force_login(user)
    signed_in = served(client, url)
    client.logout()
    client.cookies.clear()

    anonymous = served(client, url)
    served(client, url)
    client.force_login(user)
    again = served(client, url)

    assert not from_cache(signed_in) and not from_cache(anonymous)
    assert not from_cache(again)
    assert not again.has_header("ETag")


@pytest.mark.parametrize(
    "cookie", [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME]
)
def test_a_visitor_with_our_cookies_is_never_served_from_the_cache(
    client, pages, cookie
):
    """A CSRF cookie alone makes a request personal too: its page carries a
    form token, which a shared page does not (shop.core.personal)."""
    url = pages["shirts"].url
    served(client, url)
    client.cookies[cookie] = "a-value-of-theirs"

    response = served(client, url)

    assert not from_cache(response)
    assert not response.has_header("ETag")


def test_a_response_that_sets_a_cookie_is_never_cached(pages):
    response = HttpResponse("<p>form</p>")
    response.context_data = {"page": pages["oxford"].specific}
    assert cacheable_page(response) == pages["oxford"].specific
    response.set_cookie("csrftoken", "secret")

    assert cacheable_page(response) is None


def test_a_theme_change_shows_at_once(client, pages):
    url = pages["shirts"].url
    served(client, url)
    settings_row = ThemeSettings.for_site(pages["home"].get_site())
    settings_row.theme = "default"
    settings_row.save()

    assert not from_cache(served(client, url))


def test_a_publish_shows_on_the_product_and_category_pages(client, pages, committed):
    oxford = pages["oxford"].specific
    served(client, oxford.url)
    served(client, pages["shirts"].url)

    with committed():
        oxford.title = "Oxford shirt, slim"
        oxford.save_revision().publish()

    assert '<h1 itemprop="name">Oxford shirt, slim</h1>' in (
        served(client, oxford.url).content.decode()
    )
    assert "<h3>Oxford shirt, slim</h3>" in (
        served(client, pages["shirts"].url).content.decode()
    )


def test_an_unpublished_product_is_gone_at_once(client, pages, committed):
    oxford = pages["oxford"].specific
    served(client, oxford.url)
    served(client, pages["shirts"].url)

    with committed():
        oxford.unpublish()

    assert client.get(oxford.url).status_code == 404
    assert "Oxford shirt" not in served(client, pages["shirts"].url).content.decode()


def test_a_stock_change_shows_on_the_product_page(client, pages, committed):
    oxford = pages["oxford"]
    served(client, oxford.url)
    variant = oxford.specific.variants.get(sku="OXFORD-SHIRT-1")

    with committed():
        stock.set_quantity(variant.pk, 0)

    html = served(client, oxford.url).content.decode()
    assert '<span class="variant-stock">Sold out</span>' in html


def test_a_price_change_shows_on_the_product_and_category_pages(
    client, pages, committed
):
    oxford = pages["oxford"]
    served(client, oxford.url)
    served(client, pages["shirts"].url)
    variant = oxford.specific.variants.get(sku="OXFORD-SHIRT-0")

    with committed():
        variant.price = Decimal("15.50")
        variant.save()

    assert "<strong>15.50 USD</strong>" in served(client, oxford.url).content.decode()
    assert "<strong>15.50 USD</strong>" in (
        served(client, pages["shirts"].url).content.decode()
    )


def test_with_the_cache_unreachable_pages_are_rendered_not_remembered(
    client, pages, monkeypatch
):
    url = pages["oxford"].url
    served(client, url)
    # What the degrading Redis cache answers while Redis is down.
    monkeypatch.setattr(cache, "get", lambda key, default=None, **kw: default)
    monkeypatch.setattr(cache, "get_many", lambda keys, **kw: {})
    monkeypatch.setattr(cache, "add", lambda *args, **kw: False)
    monkeypatch.setattr(cache, "set", lambda *args, **kw: False)

    response = served(client, url)

    assert not from_cache(response)
    assert not response.has_header("ETag")
