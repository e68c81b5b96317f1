from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout.factories import SUCCESS_CARD, make_checkout
from shop.checkout.services import complete_checkout
from shop.orders.models import OrderStatus
from shop.stock.models import Stock

pytestmark = pytest.mark.django_db


def place(variant, quantity=1, gateway="dummy-payment", email="ada@example.com"):
    checkout = make_checkout(
        [(variant, quantity)], user=UserFactory(email=email), email=email
    )
    return complete_checkout(checkout, "key", gateway, SUCCESS_CARD).order


def test_list_filters_by_status(admin_client, shop_plugins):
    # given an unfulfilled and an unconfirmed (bank transfer) order
    place(VariantFactory(), email="paid@example.com")
    place(VariantFactory(), gateway="manual-payment", email="waiting@example.com")
    # when staff filter by unconfirmed
    response = admin_client.get(reverse("orders:index"), {"status": "unconfirmed"})
    # then only that order is listed
    content = response.content.decode()
    assert response.status_code == 200
    assert "waiting@example.com" in content
    assert "paid@example.com" not in content


def test_inspect_offers_the_actions_the_status_allows(admin_client, shop_plugins):
    order = place(VariantFactory(), gateway="manual-payment")
    response = admin_client.get(reverse("orders:inspect", args=(order.pk,)))
    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("orders:mark_paid", args=(order.pk,)) in content
    assert reverse("orders:cancel", args=(order.pk,)) in content
    assert reverse("orders:fulfil", args=(order.pk,)) not in content


def test_fulfil_with_tracking_number(admin_client, shop_plugins):
    variant = VariantFactory(stock=10)
    order = place(variant, quantity=2)
    response = admin_client.post(
        reverse("orders:fulfil", args=(order.pk,)), {"tracking_number": "1Z999"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert order.fulfillments.get().tracking_number == "1Z999"
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.quantity_allocated) == (8, 0)


def test_refund_above_captured_shows_the_error(admin_client, shop_plugins):
    # given a bank transfer order of 49.90 + 5.00 marked paid
    order = place(VariantFactory(), gateway="manual-payment")
    admin_client.post(reverse("orders:mark_paid", args=(order.pk,)))
    # when staff try to refund more than was paid
    response = admin_client.post(
        reverse("orders:refund", args=(order.pk,)), {"amount": "100.00"}
    )
    # then the form says why and nothing is refunded
    assert response.status_code == 200
    assert "at most 54.90 USD" in response.content.decode()
    assert order.payments.get().refunded_amount == Decimal("0")
    # when they refund part of it
    response = admin_client.post(
        reverse("orders:refund", args=(order.pk,)), {"amount": "4.90", "note": "late"}
    )
    assert response.status_code == 302
    assert order.payments.get().refunded_amount == Decimal("4.90")


def test_cancel(admin_client, shop_plugins):
    variant = VariantFactory(stock=3)
    order = place(variant, quantity=3)
    response = admin_client.post(
        reverse("orders:cancel", args=(order.pk,)), {"note": "fraud"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Stock.objects.get(variant=variant).quantity_allocated == 0
    assert order.events.filter(type="cancelled").get().note == "fraud"


def test_actions_need_the_manage_orders_permission(client, shop_plugins):
    # given staff who may only read orders
    order = place(VariantFactory())
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_order"),
    )
    client.force_login(staff)
    # then they see the order but cannot cancel it (Wagtail sends them home)
    assert client.get(reverse("orders:inspect", args=(order.pk,))).status_code == 200
    response = client.post(reverse("orders:cancel", args=(order.pk,)))
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    order.refresh_from_db()
    assert order.status == OrderStatus.UNFULFILLED
