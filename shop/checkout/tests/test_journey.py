"""A headless shopper's whole purchase, through the REST API only."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cms.factories import VariantFactory
from shop.checkout.factories import ADDRESS, SUCCESS_CARD, stock_of
from shop.discounts.factories import VoucherFactory
from shop.discounts.models import Voucher

pytestmark = pytest.mark.django_db

API = "/api/v1"


def test_register_buy_see_and_cancel(shop_plugins):
    # given a product with 5 units and a 10% voucher
    variant = VariantFactory(price=Decimal("20.00"), stock=5)
    VoucherFactory(code="TENOFF", value=Decimal("10"))
    # and a headless client: no cookies ever, CSRF checks as a browser gets them
    client = APIClient(enforce_csrf_checks=True)
    # when it starts a cart with a bare POST and keeps its token
    response = client.post(f"{API}/cart/")
    assert response.status_code == 201, response.json()
    cart_token = response.json()["token"]
    # and adds 2 units to it
    response = client.post(
        f"{API}/cart/lines/",
        {"variant_id": variant.pk, "quantity": 2},
        format="json",
        HTTP_X_CART_TOKEN=cart_token,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["subtotal"] == {"amount": "40.00", "currency": "USD"}
    # and the shopper registers
    credentials = {"email": "grace@example.com", "password": "a-long-passphrase-42"}
    response = client.post(f"{API}/auth/register/", credentials, format="json")
    assert response.status_code == 201, response.json()
    # and gets a token, bringing the anonymous cart along
    response = client.post(
        f"{API}/auth/token/", {**credentials, "cart_token": cart_token}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["cart_merge"]["changed"] is False
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    # and starts a checkout, pre-filled with the account's email
    response = client.post(f"{API}/checkouts/")
    assert response.status_code == 201, response.json()
    checkout = response.json()
    assert checkout["email"] == "grace@example.com"
    assert [line["quantity"] for line in checkout["lines"]] == [2]
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
    # and completes without an idempotency key: refused, nothing placed
    pay = {"gateway": "dummy-payment", "payment_token": SUCCESS_CARD}
    response = client.post(f"{url}/complete/", pay, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    # and completes with the test card and a key
    response = client.post(
        f"{url}/complete/", pay, format="json", HTTP_IDEMPOTENCY_KEY="attempt-1"
    )
    # then an order is placed for the server's total
    assert response.status_code == 201, response.json()
    order = response.json()
    assert (order["status"], order["total"]["gross"], order["voucher_code"]) == (
        "unfulfilled",
        {"amount": "41.00", "currency": "USD"},
        "TENOFF",
    )
    assert order["shipping_address"]["city"] == ADDRESS["city"]
    assert stock_of(variant) == (5, 2)
    assert Voucher.objects.get(code="TENOFF").used_count == 1
    # and the same key answers the same order
    response = client.post(
        f"{url}/complete/", pay, format="json", HTTP_IDEMPOTENCY_KEY="attempt-1"
    )
    assert (response.status_code, response.json()["id"]) == (200, order["id"])
    # and the shopper reads it in their orders
    response = client.get(f"{API}/orders/")
    assert [o["id"] for o in response.json()["results"]] == [order["id"]]
    assert response.json()["results"][0]["total"] == order["total"]
    response = client.get(f"{API}/orders/{order['id']}/")
    line = response.json()["lines"][0]
    assert (line["quantity"], line["unit_price"]["gross"]) == (
        2,
        {"amount": "20.00", "currency": "USD"},
    )
    # when they cancel it
    response = client.post(f"{API}/orders/{order['id']}/cancel/", {}, format="json")
    # then it is cancelled, the stock restored, the payment voided, the voucher
    # use given back
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert response.json()["payments"][0]["status"] == "voided"
    assert stock_of(variant) == (5, 0)
    assert Voucher.objects.get(code="TENOFF").used_count == 0
    # and no cookie was ever needed
    assert not client.cookies
