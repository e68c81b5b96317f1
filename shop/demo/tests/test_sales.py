"""A freshly seeded demo sells: a shopper buys through the API alone."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from cms.models import Variant
from shop.checkout.factories import ADDRESS, SUCCESS_CARD
from shop.demo.sales import DEMO_VOUCHER_CODE, configure_demo_shop
from shop.demo.seed import DEMO_PASSWORD
from shop.plugins.manager import invalidate_plugins_manager

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    # the seed's plugin saves tell the processes to reload after commit
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "seed_demo",
            products=5,
            shoppers=2,
            events_per_shopper=2,
            stdout=StringIO(),
        )
    yield
    invalidate_plugins_manager()


def test_a_demo_shopper_buys_with_the_voucher_and_test_card(
    demo, mailoutbox, django_capture_on_commit_callbacks
):
    # given a demo shopper signed in
    client = APIClient()
    response = client.post(
        f"{API}/auth/token/",
        {"email": "shopper0001@demo.example.com", "password": DEMO_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    variant = Variant.objects.filter(stock__quantity__gt=0).order_by("pk").first()
    # when they fill a cart and a checkout to Germany
    client.post(
        f"{API}/cart/lines/", {"variant_id": variant.pk, "quantity": 1}, format="json"
    )
    url = f"{API}/checkouts/{client.post(f'{API}/checkouts/').json()['token']}"
    address = {**ADDRESS, "country": "DE"}
    client.patch(
        f"{url}/",
        {"shipping_address": address, "billing_address": address},
        format="json",
    )
    # then two shipping methods and two gateways are offered
    methods = client.get(f"{url}/shipping-methods/").json()
    assert [m["id"] for m in methods] == [
        "shipping-rates:standard",
        "shipping-rates:express",
    ]
    gateways = client.get(f"{url}/payment-gateways/").json()
    assert sorted(g["id"] for g in gateways) == ["dummy-payment", "manual-payment"]
    # and the voucher and German tax apply
    client.put(
        f"{url}/shipping-methods/",
        {"shipping_method_id": "shipping-rates:express"},
        format="json",
    )
    response = client.put(f"{url}/voucher/", {"code": DEMO_VOUCHER_CODE})
    assert response.status_code == 200, response.json()
    totals = response.json()["totals"]
    assert Decimal(totals["discount"]["amount"]) > 0
    assert Decimal(totals["taxes"]["amount"]) > 0
    # when they pay with the test card
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{url}/complete/",
            {"gateway": "dummy-payment", "payment_token": SUCCESS_CARD},
            format="json",
            HTTP_IDEMPOTENCY_KEY="demo-1",
        )
    # then the order is placed, paid at once, and confirmed by email
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["status"] == "unfulfilled"
    assert order["payments"][0]["status"] == "captured"
    assert order["voucher_code"] == DEMO_VOUCHER_CODE
    [email] = mailoutbox
    assert email.to == ["shopper0001@demo.example.com"]


def test_configuring_twice_keeps_one_voucher(db):
    first = configure_demo_shop()
    second = configure_demo_shop()
    assert first.pk == second.pk
    invalidate_plugins_manager()
