"""Checkout and order endpoints: idempotency, declines, ownership, bad input."""

import pytest
from rest_framework.test import APIClient

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout.factories import (
    ADDRESS,
    DECLINED_CARD,
    SUCCESS_CARD,
    make_checkout,
)
from shop.checkout.models import Checkout
from shop.orders.models import Order
from shop.stock.models import Stock

pytestmark = pytest.mark.django_db

API = "/api/v1"
PAY = {"gateway": "dummy-payment", "payment_token": SUCCESS_CARD}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def complete(client, checkout, key="k1", body=PAY):
    return client.post(
        f"{API}/checkouts/{checkout.token}/complete/",
        body,
        format="json",
        **({"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}),
    )


def test_same_idempotency_key_returns_the_same_order(shop_plugins, user):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    client = client_for(user)
    first = complete(client, checkout)
    again = complete(client, checkout)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Order.objects.count() == 1


def test_idempotency_key_is_required(shop_plugins, user):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    response = complete(client_for(user), checkout, key=None)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    assert Order.objects.count() == 0


def test_declined_card_is_402_and_keeps_nothing(shop_plugins, user):
    variant = VariantFactory(stock=5)
    checkout = make_checkout([(variant, 2)], user=user)
    response = complete(
        client_for(user),
        checkout,
        body={"gateway": "dummy-payment", "payment_token": DECLINED_CARD},
    )
    assert response.status_code == 402
    error = response.json()["error"]
    assert (error["code"], error["detail"]["reason"]) == (
        "payment_declined",
        "card_declined",
    )
    assert Order.objects.get(pk=error["detail"]["order"]).status == "failed"
    assert Stock.objects.get(variant=variant).quantity_allocated == 0


def test_short_stock_is_409_naming_the_variant(shop_plugins, user):
    variant = VariantFactory(stock=1)
    checkout = make_checkout([(variant, 2)], user=user)
    response = complete(client_for(user), checkout)
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "insufficient_stock",
        "message": f"Not enough stock for variants {variant.pk}.",
        "fields": {},
        "detail": {
            "variants": [{"variant_id": variant.pk, "requested": 2, "available": 1}]
        },
    }


def test_another_users_checkout_and_order_are_404(shop_plugins, user):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    order_id = complete(client_for(user), checkout).json()["id"]
    intruder = client_for(UserFactory())
    other = make_checkout([(VariantFactory(stock=5), 1)], user=UserFactory())
    assert intruder.get(f"{API}/checkouts/{other.token}/").status_code == 404
    assert complete(intruder, other, key="x").status_code == 404
    assert intruder.get(f"{API}/orders/{order_id}/").status_code == 404
    assert intruder.post(f"{API}/orders/{order_id}/cancel/").status_code == 404
    assert intruder.get(f"{API}/orders/").json()["results"] == []
    assert Order.objects.get().status == "unfulfilled"


def test_anonymous_checkout_by_token(shop_plugins):
    # given a guest's checkout
    checkout = make_checkout([(VariantFactory(stock=5), 1)], email="guest@example.com")
    # when completed with only its token
    response = complete(APIClient(), checkout)
    # then the guest's order is placed
    assert response.status_code == 201
    assert response.json()["email"] == "guest@example.com"


def test_prices_totals_and_status_cannot_be_set(shop_plugins, user):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    client = client_for(user)
    response = client.patch(
        f"{API}/checkouts/{checkout.token}/",
        {"email": "new@example.com", "total": "0.01", "currency": "EUR"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"total", "currency"}
    checkout.refresh_from_db()
    assert (checkout.email, checkout.currency) == ("ada@example.com", "USD")
    # and a price sent with the completion is ignored
    response = complete(client, checkout, body={**PAY, "total_gross": "0.01"})
    assert response.json()["total"]["gross"] == {"amount": "54.90", "currency": "USD"}


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({**ADDRESS, "country": "XX"}, "shipping_address.country"),
        (
            {key: value for key, value in ADDRESS.items() if key != "city"},
            "shipping_address.city",
        ),
        ("not an address", "shipping_address"),
    ],
)
def test_bad_address_is_refused(shop_plugins, user, address, field):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    response = client_for(user).patch(
        f"{API}/checkouts/{checkout.token}/",
        {"shipping_address": address},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    checkout.refresh_from_db()
    assert checkout.shipping_address == ADDRESS


def test_malformed_json_is_400(shop_plugins, user):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    response = client_for(user).post(
        f"{API}/checkouts/{checkout.token}/complete/",
        "{not json",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert Order.objects.count() == 0


def test_missing_gateway_and_unknown_shipping_method(shop_plugins, user):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    client = client_for(user)
    response = complete(client, checkout, body={})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["gateway"]
    response = client.put(
        f"{API}/checkouts/{checkout.token}/shipping-methods/",
        {"shipping_method_id": "shipping-rates:express"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_shipping_method"


def test_unknown_voucher_is_refused(shop_plugins, user):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    response = client_for(user).put(
        f"{API}/checkouts/{checkout.token}/voucher/", {"code": "NOPE"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "voucher_not_found"
    checkout.refresh_from_db()
    assert checkout.voucher_code == ""


def test_checkout_needs_a_cart(shop_plugins, user):
    response = client_for(user).post(f"{API}/checkouts/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cart_empty"
    assert Checkout.objects.count() == 0


def test_staff_capture_then_fulfil_through_the_api(shop_plugins, user):
    # given an authorized order of 49.90 + 5.00 shipping
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    order_id = complete(client_for(user), checkout).json()["id"]
    url = f"{API}/orders/{order_id}"
    # a shopper may not capture or ship
    shopper = client_for(user)
    assert shopper.post(f"{url}/capture/", {}, format="json").status_code == 403
    assert shopper.post(f"{url}/fulfil/", {}, format="json").status_code == 403
    # staff may not ship while nothing is captured
    staff = client_for(UserFactory(is_staff=True, is_superuser=True))
    response = staff.post(f"{url}/fulfil/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_paid"
    # nor capture more than was authorized
    response = staff.post(f"{url}/capture/", {"amount": "54.91"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_capture_amount",
        "message": "Capture must be above 0 and at most 54.90 USD.",
        "fields": {"amount": ["Capture must be above 0 and at most 54.90 USD."]},
        "detail": None,
    }
    # they capture part, then the rest
    response = staff.post(f"{url}/capture/", {"amount": "50.00"}, format="json")
    assert response.status_code == 200
    [payment] = response.json()["payments"]
    assert (payment["status"], payment["captured_amount"]) == (
        "partially_captured",
        {"amount": "50.00", "currency": "USD"},
    )
    response = staff.post(f"{url}/capture/", {}, format="json")
    [payment] = response.json()["payments"]
    assert (payment["status"], payment["captured_amount"]) == (
        "captured",
        {"amount": "54.90", "currency": "USD"},
    )
    response = staff.post(f"{url}/capture/", {}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (
        409,
        "not_capturable",
    )
    # and then ship it
    response = staff.post(f"{url}/fulfil/", {"tracking_number": "1Z1"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "fulfilled"
    assert response.json()["fulfillments"][0]["tracking_number"] == "1Z1"
    # and a negative refund is a 400
    response = staff.post(f"{url}/refund/", {"amount": "-1"}, format="json")
    assert response.status_code == 400


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_order_list_and_checkout_detail_query_budgets(shop_plugins, user):
    # given a shopper with 1 order, then with 6
    client = client_for(user)
    few = make_checkout([(VariantFactory(stock=50), 1)], user=user)
    complete(client, few)
    one_order = _queries(client, f"{API}/orders/")
    for index in range(5):
        other = make_checkout(
            [(VariantFactory(stock=50), 1)], user=UserFactory(), email=user.email
        )
        Checkout.objects.filter(pk=other.pk).update(user=user)
        complete(client, other, key=f"k{index}")
    # then listing them costs the same: a count and a page
    assert _queries(client, f"{API}/orders/") == one_order == 2
    # and a checkout of 1 or 10 lines reads in the same number of queries
    small = make_checkout([(VariantFactory(stock=50), 1)], user=UserFactory())
    large = make_checkout(
        [(VariantFactory(stock=50), 1) for _ in range(10)], user=UserFactory()
    )
    anonymous = APIClient()
    Checkout.objects.filter(pk__in=[small.pk, large.pk]).update(user=None)
    assert (
        _queries(anonymous, f"{API}/checkouts/{small.token}/")
        == _queries(anonymous, f"{API}/checkouts/{large.token}/")
        == 3
    )
