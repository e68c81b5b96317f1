"""Events from the purchase flow, each started through the REST API:
checkout_updated once per change of a checkout, and the stock events of
completing a checkout and of giving its units back."""

import pytest
from rest_framework.test import APIClient

from cms.factories import VariantFactory
from shop.checkout.factories import (
    ADDRESS,
    DECLINED_CARD,
    STANDARD,
    SUCCESS_CARD,
    make_checkout,
)
from shop.discounts.factories import VoucherFactory
from shop.webhooks.tests.outbox import outbox, subscribe

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def updates(checkout):
    """The fields named by each checkout_updated of this checkout, in order."""
    return [
        payload["fields"]
        for event, payload in outbox()
        if event == "checkout_updated" and payload["token"] == str(checkout.token)
    ]


def test_each_change_of_a_checkout_is_one_update(shop_plugins, user, client):
    subscribe("checkout_updated")
    VoucherFactory(code="TENOFF")
    checkout = make_checkout(
        [(VariantFactory(stock=5), 1)], user=user, shipping_method_id=""
    )
    url = f"{API}/checkouts/{checkout.token}"

    answers = [
        client.patch(f"{url}/", {"email": "grace@example.com"}, format="json"),
        client.patch(
            f"{url}/",
            {"shipping_address": {**ADDRESS, "city": "Shelbyville"}},
            format="json",
        ),
        client.put(
            f"{url}/shipping-methods/",
            {"shipping_method_id": STANDARD},
            format="json",
        ),
        client.put(f"{url}/voucher/", {"code": "TENOFF"}, format="json"),
        client.delete(f"{url}/voucher/"),
    ]

    assert [answer.status_code for answer in answers] == [200] * 5
    assert updates(checkout) == [
        ["email"],
        ["shipping_address"],
        ["shipping_method_id"],
        ["voucher_code"],
        ["voucher_code"],
    ]
    assert outbox()[0][1] == {
        "token": str(checkout.token),
        "user_id": user.pk,
        "fields": ["email"],
    }


def test_a_refused_change_is_no_update(shop_plugins, user, client):
    subscribe("checkout_updated")
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)

    answer = client.put(
        f"{API}/checkouts/{checkout.token}/voucher/", {"code": "NOPE"}, format="json"
    )

    assert answer.status_code == 400
    assert updates(checkout) == []


def complete(client, checkout, card):
    return client.post(
        f"{API}/checkouts/{checkout.token}/complete/",
        {"gateway": "dummy-payment", "payment_token": card},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )


def stock_events():
    return [
        (event, payload["sku"], payload["quantity_available"])
        for event, payload in outbox()
        if event.startswith("variant_")
    ]


def test_buying_the_last_units_and_cancelling(shop_plugins, user, client):
    subscribe("variant_out_of_stock", "variant_back_in_stock")
    last = VariantFactory(sku="LAST", stock=2)
    plenty = VariantFactory(sku="PLENTY", stock=9)
    checkout = make_checkout([(last, 2), (plenty, 1)], user=user)

    placed = complete(client, checkout, SUCCESS_CARD)
    sold_out = stock_events()
    cancelled = client.post(f"{API}/orders/{placed.json()['id']}/cancel/", {})

    assert (placed.status_code, cancelled.status_code) == (201, 200)
    assert sold_out == [("variant_out_of_stock", "LAST", 0)]
    assert stock_events() == [
        ("variant_out_of_stock", "LAST", 0),
        ("variant_back_in_stock", "LAST", 2),
    ]


def test_a_declined_payment_gives_the_units_back(shop_plugins, user, client):
    subscribe("variant_out_of_stock", "variant_back_in_stock")
    checkout = make_checkout([(VariantFactory(sku="LAST", stock=1), 1)], user=user)

    declined = complete(client, checkout, DECLINED_CARD)

    assert declined.status_code == 402
    assert stock_events() == [
        ("variant_out_of_stock", "LAST", 0),
        ("variant_back_in_stock", "LAST", 1),
    ]
