"""What every storefront response promises caches and browsers: the shopper's
own pages are never stored, catalog pages for anonymous visitors may be; each
page has a title of its own."""

import re

import pytest

from shop.storefront.tests.conftest import PASSWORD, fill_cart

pytestmark = pytest.mark.django_db

UNCACHEABLE = {"no-store", "private"}


def directives(response) -> set[str]:
    return {
        part.strip().split("=")[0]
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]


def test_cart_checkout_and_account_pages_are_never_cached(client, store, user):
    fill_cart(client, lines=[(store["oxford"], 1)])
    guest = {url: client.get(url) for url in ("/cart/", "/checkout/")}
    user.set_password(PASSWORD)
    user.save()
    client.force_login(user)
    signed_in = {
        url: client.get(url)
        for url in ("/cart/", "/checkout/", "/account/", "/account/orders/")
    }

    for url, response in [*guest.items(), *signed_in.items()]:
        assert response.status_code == 200, url
        assert UNCACHEABLE <= directives(response), (url, response["Cache-Control"])


def test_catalog_pages_for_anonymous_visitors_may_be_cached(client, store):
    product = store["oxford"].product
    urls = ["/", product.get_parent().url, product.url, "/search/?q=shirt"]

    responses = {url: client.get(url) for url in urls}

    for url, response in responses.items():
        assert response.status_code == 200, url
        assert not UNCACHEABLE & directives(response), (url, response["Cache-Control"])
        assert "csrftoken" not in response.cookies, url


def test_pages_outside_the_page_tree_have_titles_of_their_own(client, store):
    fill_cart(client, lines=[(store["oxford"], 1)])
    urls = [
        "/search/?q=shirt",
        "/cart/",
        "/checkout/",
        "/account/sign-in/",
        "/account/register/",
        "/account/password-reset/",
    ]

    titles = [title(client.get(url)) for url in urls]

    assert all(name.endswith(" · Shop") for name in titles), titles
    assert len({name.removesuffix(" · Shop") for name in titles}) == len(urls), titles
    assert "" not in {name.removesuffix(" · Shop").strip() for name in titles}
