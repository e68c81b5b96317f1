"""The catalog API's cached answers: a repeated read is a cache hit without a
query, and every change, made through its real path (a published revision, the
variants admin, the stock admin, a checkout completion, an unpublish), shows in
the list, the filtered list and the detail as soon as it commits."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cms.factories import CategoryPageFactory, ProductPageFactory, VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout.factories import SUCCESS_CARD, make_checkout

pytestmark = pytest.mark.django_db

URL = "/api/v1/products/"
IN_STOCK_BY_PRICE = {"in_stock": "true", "ordering": "price"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def catalog():
    category = CategoryPageFactory()
    boot = ProductPageFactory(parent=category, title="Boot")
    VariantFactory(product=boot, sku="BOOT", price=Decimal("30.00"), stock=3)
    shoe = ProductPageFactory(parent=category, title="Shoe")
    VariantFactory(product=shoe, sku="SHOE", price=Decimal("20.00"), stock=5)
    return {"boot": boot, "shoe": shoe}


def reads(client, product) -> dict:
    """What each read endpoint says about `product`."""
    listed = client.get(URL).json()
    filtered = client.get(URL, IN_STOCK_BY_PRICE).json()
    detail = client.get(f"{URL}{product.pk}/")
    card = next((c for c in listed["results"] if c["id"] == product.pk), None)
    return {
        "count": listed["count"],
        "card": card and (card["title"], card["price"]["amount"], card["in_stock"]),
        "in_stock_by_price": [c["title"] for c in filtered["results"]],
        "in_stock_count": filtered["count"],
        "detail": detail.status_code == 200
        and (
            detail.json()["title"],
            [
                (v["price"]["amount"], v["quantity_available"])
                for v in detail.json()["variants"]
            ],
        ),
    }


def test_a_repeated_read_is_answered_from_the_cache(
    client, catalog, django_assert_num_queries
):
    first = client.get(URL)
    detail = client.get(f"{URL}{catalog['boot'].pk}/")
    with django_assert_num_queries(0):
        again = client.get(URL)
        detail_again = client.get(f"{URL}{catalog['boot'].pk}/")

    assert again.content == first.content
    assert detail_again.content == detail.content
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "no-cache"
    assert again["Content-Type"] == "application/json"


def test_a_client_holding_the_answer_gets_a_304(client, catalog):
    etag = client.get(URL)["ETag"]

    unchanged = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    other = client.get(URL, HTTP_IF_NONE_MATCH='"other"')

    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged["ETag"] == etag
    assert other.status_code == 200


def test_a_bad_token_is_still_refused(client, catalog):
    client.get(URL)

    response = client.get(URL, HTTP_AUTHORIZATION="Bearer nope")

    assert response.status_code == 401


def test_the_browsable_api_is_not_answered_with_cached_json(client, catalog):
    client.get(URL)

    response = client.get(URL, HTTP_ACCEPT="text/html")

    assert response["Content-Type"].startswith("text/html")


def test_a_published_revision_shows_at_once(client, catalog, committed):
    boot = catalog["boot"]
    assert reads(client, boot)["card"] == ("Boot", "30.00", True)

    with committed():
        boot.title = "Trail boot"
        boot.save_revision().publish()

    after = reads(client, boot)
    assert after["card"] == ("Trail boot", "30.00", True)
    assert after["in_stock_by_price"] == ["Shoe", "Trail boot"]
    assert after["detail"] == ("Trail boot", [("30.00", 3)])


def test_a_price_set_in_the_variants_admin_shows_at_once(
    client, admin_client, catalog, committed
):
    boot = catalog["boot"]
    variant = boot.variants.get()
    assert reads(client, boot)["in_stock_by_price"] == ["Shoe", "Boot"]

    with committed():
        response = admin_client.post(
            reverse("catalog_variants:edit", args=(variant.pk,)),
            {
                "product": boot.pk,
                "sku": "BOOT",
                "size": "M",
                "color": "black",
                "price": "10.00",
                "currency": "USD",
                "weight_kg": "0.500",
                "is_active": "on",
            },
        )

    assert response.status_code == 302
    after = reads(client, boot)
    assert after["card"] == ("Boot", "10.00", True)
    assert after["in_stock_by_price"] == ["Boot", "Shoe"]
    assert after["detail"] == ("Boot", [("10.00", 3)])


def test_stock_set_in_the_stock_admin_shows_at_once(
    client, admin_client, catalog, committed
):
    boot = catalog["boot"]
    stock = boot.variants.get().stock
    url = reverse("catalog_stock:edit", args=(stock.pk,))
    assert reads(client, boot)["in_stock_count"] == 2

    with committed():
        assert admin_client.post(url, {"quantity": "7"}).status_code == 302
    more = reads(client, boot)
    with committed():
        assert admin_client.post(url, {"quantity": "0"}).status_code == 302
    none = reads(client, boot)

    assert (more["detail"], more["card"]) == (
        ("Boot", [("30.00", 7)]),
        ("Boot", "30.00", True),
    )
    assert (none["detail"], none["card"]) == (
        ("Boot", [("30.00", 0)]),
        ("Boot", "30.00", False),
    )
    assert (none["in_stock_by_price"], none["in_stock_count"]) == (["Shoe"], 1)


def test_a_checkout_completion_shows_at_once(client, catalog, shop_plugins, committed):
    boot = catalog["boot"]
    assert reads(client, boot)["detail"] == ("Boot", [("30.00", 3)])

    def buy(quantity, key):
        buyer = UserFactory()
        api = APIClient()
        api.force_authenticate(buyer)
        checkout = make_checkout([(boot.variants.get(), quantity)], user=buyer)
        with committed():
            response = api.post(
                f"/api/v1/checkouts/{checkout.token}/complete/",
                {"gateway": "dummy-payment", "payment_token": SUCCESS_CARD},
                format="json",
                HTTP_IDEMPOTENCY_KEY=key,
            )
        assert response.status_code == 201

    buy(1, "one")
    after_one = reads(client, boot)
    buy(2, "last-two")
    sold_out = reads(client, boot)

    assert (after_one["detail"], after_one["card"]) == (
        ("Boot", [("30.00", 2)]),
        ("Boot", "30.00", True),
    )
    assert (sold_out["detail"], sold_out["card"]) == (
        ("Boot", [("30.00", 0)]),
        ("Boot", "30.00", False),
    )
    assert sold_out["in_stock_by_price"] == ["Shoe"]


def test_an_unpublished_product_is_gone_at_once(client, catalog, committed):
    boot = catalog["boot"]
    assert reads(client, boot)["count"] == 2

    with committed():
        boot.unpublish()

    after = reads(client, boot)
    assert (after["count"], after["card"], after["detail"]) == (1, None, False)
