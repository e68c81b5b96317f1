"""Listing orders: shoppers see their own, staff with the order permission
see and filter all of them; failed checkout attempts only when asked for."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout.factories import DECLINED_CARD, SUCCESS_CARD, make_checkout
from shop.checkout.services import complete_checkout
from shop.orders import services
from shop.orders.models import Order

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def place(user, gateway="dummy-payment", card=SUCCESS_CARD):
    # A guest checkout then given to the user: a user has one cart only.
    checkout = make_checkout([(VariantFactory(stock=5), 1)], email=user.email)
    order = complete_checkout(checkout, "k", gateway, card).order
    Order.objects.filter(pk=order.pk).update(user=user)
    return order


def staff_with(*codenames):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return staff


def emails(response):
    assert response.status_code == 200, response.content
    return [order["email"] for order in response.json()["results"]]


@pytest.fixture
def orders(shop_plugins):
    """Ada's authorized order (yesterday), Bob's bank transfer and Bob's
    declined attempt (today)."""
    ada = UserFactory(email="ada@example.com")
    bob = UserFactory(email="bob@example.com")
    paid = place(ada)
    Order.objects.filter(pk=paid.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    waiting = place(bob, gateway="manual-payment")
    failed = place(bob, card=DECLINED_CARD)
    return ada, bob, paid, waiting, failed


def test_shoppers_list_only_their_own_placed_orders(orders):
    ada, bob, *_ = orders
    assert emails(client_for(ada).get(URL)) == ["ada@example.com"]
    assert emails(client_for(bob).get(URL)) == ["bob@example.com"]
    # and their failed attempt only when asked for
    response = client_for(bob).get(URL, {"status": "failed"})
    assert [o["status"] for o in response.json()["results"]] == ["failed"]


@pytest.mark.parametrize("codename", ["manage_orders", "view_order"])
def test_staff_list_and_filter_all_orders(orders, codename):
    ada, bob, paid, waiting, failed = orders
    staff = client_for(staff_with(codename))
    # all placed orders, newest first; the failed attempt left out
    assert [o["id"] for o in staff.get(URL).json()["results"]] == [
        waiting.pk,
        paid.pk,
    ]
    # and found by status, customer email, payment status and date range
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    assert emails(staff.get(URL, {"status": "unconfirmed"})) == ["bob@example.com"]
    assert emails(staff.get(URL, {"status": "failed"})) == ["bob@example.com"]
    assert emails(staff.get(URL, {"email": "ADA@example.com"})) == ["ada@example.com"]
    assert emails(staff.get(URL, {"payment_status": "authorized"})) == [
        "ada@example.com"
    ]
    assert emails(staff.get(URL, {"payment_status": "pending"})) == ["bob@example.com"]
    assert emails(staff.get(URL, {"created_before": str(yesterday)})) == [
        "ada@example.com"
    ]
    assert emails(staff.get(URL, {"created_after": str(today)})) == ["bob@example.com"]
    # and any order reads in full
    response = staff.get(f"{URL}{paid.pk}/")
    assert response.json()["email"] == "ada@example.com"


def test_bad_filter_is_a_400(orders):
    staff = client_for(staff_with("manage_orders"))
    response = staff.get(URL, {"created_after": "yesterday"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == ["created_after"]


def test_view_only_staff_cannot_act_on_others_orders(orders):
    ada, bob, paid, *_ = orders
    staff = client_for(staff_with("view_order"))
    response = staff.post(f"{URL}{paid.pk}/cancel/", {}, format="json")
    assert response.status_code == 404
    assert staff.post(f"{URL}{paid.pk}/capture/", {}).status_code == 403


def test_staff_list_query_budget(orders):
    staff = staff_with("manage_orders")

    def queries():
        # A fresh user each time, as each request loads one (its permission
        # cache starts empty).
        client = client_for(type(staff).objects.get(pk=staff.pk))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"payment_status": "authorized"})
        assert response.status_code == 200
        return len(captured)

    few = queries()
    for _ in range(5):
        services.capture_order(place(UserFactory()), None, None)
        place(UserFactory())
    # permissions (user's and groups'), a count and a page
    assert queries() == few == 4
