from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout.factories import DECLINED_CARD, SUCCESS_CARD, make_checkout
from shop.checkout.services import complete_checkout
from shop.orders import services
from shop.orders.models import OrderStatus
from shop.stock.models import Stock

pytestmark = pytest.mark.django_db


def place(
    variant,
    quantity=1,
    gateway="dummy-payment",
    email="ada@example.com",
    card=SUCCESS_CARD,
):
    checkout = make_checkout(
        [(variant, quantity)], user=UserFactory(email=email), email=email
    )
    return complete_checkout(checkout, "key", gateway, card).order


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


ACTION_NAMES = ["capture", "fulfil", "refund", "cancel", "mark_paid"]


def buttons(admin_client, order) -> list[str]:
    """The action buttons on the order's page, by name."""
    response = admin_client.get(reverse("orders:inspect", args=(order.pk,)))
    assert response.status_code == 200
    content = response.content.decode()
    return [
        name
        for name in ACTION_NAMES
        if f'href="{reverse(f"orders:{name}", args=(order.pk,))}"' in content
    ]


def test_the_order_page_shows_the_buttons_each_state_allows(
    admin_client, shop_plugins, admin_user
):
    variant = VariantFactory(stock=10)
    # a bank transfer waiting for its money
    waiting = place(variant, gateway="manual-payment")
    assert buttons(admin_client, waiting) == ["cancel", "mark_paid"]
    # a card payment authorized: capture first, nothing ships yet
    card = place(variant, quantity=2, email="card@example.com")
    assert buttons(admin_client, card) == ["capture", "cancel"]
    # part captured: more to capture, the rest may ship, refund what was taken
    services.capture_order(card, admin_user, Decimal("10.00"))
    assert buttons(admin_client, card) == [
        "capture",
        "fulfil",
        "refund",
        "cancel",
    ]
    # all captured, one of two shipped
    services.capture_order(card, admin_user)
    services.fulfil_order(card, admin_user, quantities={card.lines.get().pk: 1})
    assert buttons(admin_client, card) == ["fulfil", "refund"]
    # all shipped: only a refund is left
    services.fulfil_order(card, admin_user)
    assert buttons(admin_client, card) == ["refund"]
    # cancelled or failed: nothing
    services.cancel_order(waiting, admin_user)
    assert buttons(admin_client, waiting) == []
    failed = place(variant, card=DECLINED_CARD, email="declined@example.com")
    assert failed.status == OrderStatus.FAILED
    assert buttons(admin_client, failed) == []


def test_the_order_page_renders_addresses_and_has_no_edit_view(
    admin_client, shop_plugins
):
    order = place(VariantFactory())
    response = admin_client.get(reverse("orders:inspect", args=(order.pk,)))
    content = response.content.decode()
    assert "Ada Lovelace<br>" in content
    assert "1 Main St<br>" in content
    assert "12345 Springfield" in content
    assert "{&#x27;" not in content and "{'" not in content
    assert f"/admin/orders/edit/{order.pk}/" not in content
    assert admin_client.get(f"/admin/orders/edit/{order.pk}/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("orders:edit", args=(order.pk,))


def test_failed_attempts_are_listed_only_when_asked_for(admin_client, shop_plugins):
    place(VariantFactory(), email="paid@example.com")
    place(VariantFactory(), card=DECLINED_CARD, email="declined@example.com")
    content = admin_client.get(reverse("orders:index")).content.decode()
    assert "paid@example.com" in content
    assert "declined@example.com" not in content
    response = admin_client.get(reverse("orders:index"), {"status": "failed"})
    content = response.content.decode()
    assert "declined@example.com" in content
    assert "paid@example.com" not in content


def test_capture_then_fulfil_per_line_with_tracking_numbers(admin_client, shop_plugins):
    # given an authorized order of 2 units (2 × 49.90 + 5.00)
    variant = VariantFactory(stock=10)
    order = place(variant, quantity=2)
    line = order.lines.get()
    capture_url = reverse("orders:capture", args=(order.pk,))
    fulfil_url = reverse("orders:fulfil", args=(order.pk,))
    # when staff capture more than was authorized, the form says why
    response = admin_client.post(capture_url, {"amount": "200.00"})
    assert response.status_code == 200
    assert "Capture must be above 0 and at most 104.80 USD." in (
        response.content.decode()
    )
    # and the capture form captures everything by default
    assert admin_client.post(capture_url, {}).status_code == 302
    assert order.payments.get().captured_amount == Decimal("104.80")
    # the fulfil form offers each line, preset to what is left
    content = admin_client.get(fulfil_url).content.decode()
    assert f'name="line_{line.pk}"' in content
    assert 'value="2"' in content
    # more than is left is refused on the form
    response = admin_client.post(fulfil_url, {f"line_{line.pk}": "3"})
    assert response.status_code == 200
    assert "less than or equal to 2" in response.content.decode()
    # one unit ships with its tracking number, then the other with another
    response = admin_client.post(
        fulfil_url, {f"line_{line.pk}": "1", "tracking_number": "1Z1"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_FULFILLED
    admin_client.post(fulfil_url, {f"line_{line.pk}": "1", "tracking_number": "1Z2"})
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert list(order.fulfillments.values_list("tracking_number", flat=True)) == [
        "1Z1",
        "1Z2",
    ]
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.quantity_allocated) == (8, 0)
    # and a refund that restocks puts both back
    response = admin_client.post(
        reverse("orders:refund", args=(order.pk,)), {"restock": "on"}
    )
    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_allocated) == (10, 0)


def test_shipping_nothing_is_an_error_on_the_form(admin_client, shop_plugins):
    order = place(VariantFactory(stock=10))
    admin_client.post(reverse("orders:capture", args=(order.pk,)), {})
    response = admin_client.post(
        reverse("orders:fulfil", args=(order.pk,)),
        {f"line_{order.lines.get().pk}": "0"},
    )
    assert response.status_code == 200
    assert "Nothing is left to ship." in response.content.decode()


def test_the_dashboard_shows_today_and_low_stock(admin_client, shop_plugins):
    # given two orders today (one cancelled) and a declined attempt
    low = VariantFactory(stock=3, price=Decimal("10.00"))
    place(low)
    cancelled = place(
        VariantFactory(stock=50, price=Decimal("20.00")), email="bob@example.com"
    )
    services.cancel_order(cancelled)
    place(VariantFactory(stock=50), card=DECLINED_CARD, email="no@example.com")
    # when staff open the dashboard
    content = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    # then they see today's orders, the sales of those not cancelled, and the
    # variant with 2 left
    assert "2 orders placed today" in content
    assert "Sales: 15.00 USD (1 order)" in content
    assert f"<td>{low.sku}</td>" in content
    assert "<td>2</td>" in content


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
