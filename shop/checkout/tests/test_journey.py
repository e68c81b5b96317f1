"""A headless shopper's whole purchase, through the REST API only."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cms.factories import VariantFactory
from shop.checkout.factories import ADDRESS, SUCCESS_CARD
from shop.discounts.factories import VoucherFactory
from shop.discounts.models import Voucher
from shop.stock.models import Stock

pytestmark = pytest.mark.django_db

API = "/api/v1"


def stock_of(variant):
    row = Stock.objects.get(variant=variant)
    return row.quantity, row.quantity_allocated


def test_register_buy_see_and_cancel(shop_plugins):
    # given a product with 5 units and a 10% voucher
    variant = VariantFactory(price=Decimal("20.00"), stock=5)
    VoucherFactory(code="TENOFF", value=Decimal("10"))
    client = APIClient()
    # when a shopper registers and signs in with a token
    response = client.post(
        f"{API}/auth/register/",
        {"email": "grace@example.com", "password": "a-long-passphrase-42"},
        format="json",
    )
    assert response.status_code == 201
    response = client.post(
        f"{API}/auth/token/",
        {"email": "grace@example.com", "password": "a-long-passphrase-42"},
        format="json",
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    # and adds 2 units to the cart
    response = client.post(
        f"{API}/cart/lines/", {"variant_id": variant.pk, "quantity": 2}, format="json"
    )
    assert response.status_code == 201, response.json()
    # and starts a checkout, pre-filled with the account's email
    response = client.post(f"{API}/checkouts/")
    assert response.status_code == 201, response.json()
    checkout = response.json()
    assert checkout["email"] == "grace@example.com"
    url = f"{API}/checkouts/{checkout['token']}"
    # and sets the addresses
    response = client.patch(
        f"{url}/",
        {"shipping_address": ADDRESS, "billing_address": ADDRESS},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # and picks the standard shipping method among those offered
    response = client.get(f"{url}/shipping-methods/")
    assert response.json() == [
        {
            "id": "shipping-rates:standard",
            "name": "Standard",
            "price": {"amount": "5.00", "currency": "USD"},
        }
    ]
    response = client.put(
        f"{url}/shipping-methods/",
        {"shipping_method_id": "shipping-rates:standard"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # and applies the voucher
    response = client.put(f"{url}/voucher/", {"code": "tenoff"}, format="json")
    assert response.status_code == 200, response.json()
    totals = response.json()["totals"]
    assert totals["subtotal"]["gross"] == {"amount": "40.00", "currency": "USD"}
    assert totals["shipping"]["gross"] == {"amount": "5.00", "currency": "USD"}
    assert totals["discount"] == {"amount": "4.00", "currency": "USD"}
    assert totals["total"]["gross"] == {"amount": "41.00", "currency": "USD"}
    # and sees the dummy gateway
    response = client.get(f"{url}/payment-gateways/")
    assert "dummy-payment" in [gateway["id"] for gateway in response.json()]
    # and completes with the test card
    response = client.post(
        f"{url}/complete/",
        {"gateway": "dummy-payment", "payment_token": SUCCESS_CARD},
        format="json",
        HTTP_IDEMPOTENCY_KEY="attempt-1",
    )
    # then an order is placed for the server's total
    assert response.status_code == 201, response.json()
    order = response.json()
    assert (order["status"], order["total_gross"], order["voucher_code"]) == (
        "unfulfilled",
        "41.00",
        "TENOFF",
    )
    assert stock_of(variant) == (5, 2)
    assert Voucher.objects.get(code="TENOFF").used_count == 1
    # and the shopper sees it in their orders
    response = client.get(f"{API}/orders/")
    assert [o["id"] for o in response.json()["results"]] == [order["id"]]
    response = client.get(f"{API}/orders/{order['id']}/")
    assert response.json()["lines"][0]["quantity"] == 2
    # when they cancel it
    response = client.post(f"{API}/orders/{order['id']}/cancel/", {}, format="json")
    # then it is cancelled, the stock restored, the payment voided, the voucher
    # use given back
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert response.json()["payments"][0]["status"] == "voided"
    assert stock_of(variant) == (5, 0)
    assert Voucher.objects.get(code="TENOFF").used_count == 0
