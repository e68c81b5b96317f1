"""Capture, shipping only what is paid for, refunds that restock."""

from decimal import Decimal

import pytest

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout.factories import (
    SUCCESS_CARD,
    configure_shop_plugins,
    make_checkout,
    stock_of,
)
from shop.checkout.services import complete_checkout
from shop.orders import services
from shop.orders.models import OrderStatus
from shop.payments.models import PaymentStatus
from shop.payments.services import PaymentError
from shop.webhooks.models import Webhook, WebhookDelivery
from shop.webhooks.tests.outbox import outbox, subscribe

pytestmark = pytest.mark.django_db


def place(lines, gateway="dummy-payment"):
    checkout = make_checkout(lines, user=UserFactory())
    return complete_checkout(checkout, "key", gateway, SUCCESS_CARD).order


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_partial_captures_add_up_to_the_authorization(shop_plugins, staff):
    # given an order authorized for 2 × 10.00 + 5.00, and a webhook on order_paid
    order = place([(VariantFactory(price=Decimal("10.00"), stock=5), 2)])
    Webhook.objects.create(
        name="paid", target_url="https://example.com/hook", events=["order_paid"]
    )
    # when 20.00 is captured
    payment = services.capture_order(order, staff, Decimal("20.00"))
    # then the payment is partly captured and the order not paid yet
    assert (payment.status, payment.captured_amount, payment.capturing_amount) == (
        PaymentStatus.PARTIALLY_CAPTURED,
        Decimal("20.00"),
        Decimal("0.00"),
    )
    assert WebhookDelivery.objects.count() == 0
    # and more than the 5.00 left is refused, changing nothing
    with pytest.raises(PaymentError) as error:
        services.capture_order(order, staff, Decimal("5.01"))
    assert (error.value.code, error.value.message) == (
        "invalid_capture_amount",
        "Capture must be above 0 and at most 5.00 USD.",
    )
    # when the rest is captured
    payment = services.capture_order(order, staff)
    # then the payment is captured in full and the order is paid
    assert (payment.status, payment.captured_amount) == (
        PaymentStatus.CAPTURED,
        Decimal("25.00"),
    )
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == [
        "order_paid"
    ]
    events = order.events.filter(type="payment_captured", user=staff)
    assert [(e.data["amount"], e.data["captured"]) for e in events] == [
        ("20.00", "20.00"),
        ("5.00", "25.00"),
    ]
    assert [t.kind for t in payment.transactions.all()] == [
        "authorize",
        "capture",
        "capture",
    ]
    # and nothing more can be captured
    with pytest.raises(services.OrderError) as error:
        services.capture_order(order, staff)
    assert error.value.code == "not_capturable"


def test_auto_capturing_gateway_places_a_paid_order(db, staff):
    configure_shop_plugins(auto_capture=True)
    order = place([(VariantFactory(price=Decimal("10.00"), stock=5), 1)])
    payment = order.payments.get()
    assert (payment.status, payment.captured_amount) == (
        PaymentStatus.CAPTURED,
        Decimal("15.00"),
    )
    assert list(order.events.values_list("type", flat=True)) == [
        "placed",
        "payment_captured",
        "status_changed",
    ]
    # and it can ship at once
    services.fulfil_order(order, staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED


def test_nothing_ships_before_money_is_captured(shop_plugins, staff):
    # given an authorized card order and a bank transfer order
    variant = VariantFactory(stock=5)
    card = place([(variant, 1)])
    transfer = place([(variant, 1)], gateway="manual-payment")
    # then neither ships
    with pytest.raises(services.OrderError) as error:
        services.fulfil_order(card, staff)
    assert error.value.code == "not_paid"
    with pytest.raises(services.OrderError) as error:
        services.fulfil_order(transfer, staff)
    assert error.value.code == "not_fulfillable"
    assert stock_of(variant) == (5, 2)
    # until the card payment is captured and the transfer marked paid
    services.capture_order(card, staff, Decimal("1.00"))
    services.mark_order_paid(transfer, staff)
    services.fulfil_order(card, staff)
    services.fulfil_order(transfer, staff)
    assert stock_of(variant) == (3, 0)


def test_refund_with_restock_puts_shipped_units_back(shop_plugins, staff):
    # given a paid order of 3 × a, 2 of which shipped
    a = VariantFactory(price=Decimal("10.00"), stock=10)
    order = place([(a, 3)])
    services.capture_order(order, staff)
    line = order.lines.get()
    services.fulfil_order(order, staff, quantities={line.pk: 2})
    assert stock_of(a) == (8, 1)
    # when part is refunded with restock (the two came back)
    services.refund_order(order, staff, Decimal("20.00"), "returned", restock=True)
    # then the two are on hand again, and recorded on the line and the event
    line.refresh_from_db()
    assert line.quantity_restocked == 2
    assert stock_of(a) == (10, 1)
    event = order.events.filter(type="refunded").get()
    assert event.data == {"amount": "20.00", "restocked": {str(line.pk): 2}}
    # when the rest is refunded, restocking again
    services.refund_order(order, staff, restock=True)
    # then nothing is restocked twice, and the unshipped unit's allocation is
    # given back as the refunded order will never ship
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert stock_of(a) == (10, 0)
    assert order.events.filter(type="refunded").last().data["restocked"] == {}


def test_restocking_the_last_units_announces_them_back_in_stock(shop_plugins, staff):
    # given the only two units sold, paid and shipped
    subscribe("variant_out_of_stock", "variant_back_in_stock")
    a = VariantFactory(sku="LAST", price=Decimal("10.00"), stock=2)
    order = place([(a, 2)])
    services.capture_order(order, staff)
    services.fulfil_order(order, staff)
    # when they come back with a refund that restocks them
    services.refund_order(order, staff, restock=True)
    # then the variant is announced back in stock with both units
    assert [
        (event, payload["sku"], payload["quantity_available"])
        for event, payload in outbox()
        if event.startswith("variant_")
    ] == [("variant_out_of_stock", "LAST", 0), ("variant_back_in_stock", "LAST", 2)]


def test_refund_without_restock_leaves_stock_alone(shop_plugins, staff):
    a = VariantFactory(price=Decimal("10.00"), stock=10)
    order = place([(a, 1)])
    services.capture_order(order, staff)
    services.fulfil_order(order, staff)
    services.refund_order(order, staff, Decimal("5.00"))
    assert stock_of(a) == (9, 0)
    assert order.lines.get().quantity_restocked == 0


def test_a_cancelled_order_is_never_charged(shop_plugins, staff, monkeypatch):
    # given a cancelled order whose authorization the gateway failed to void
    order = place([(VariantFactory(stock=5), 1)])
    monkeypatch.setattr(
        services.payments,
        "void",
        lambda payment: (_ for _ in ()).throw(
            services.payments.PaymentError("void_failed", "Gateway down.")
        ),
    )
    services.cancel_order(order, staff)
    assert order.payments.get().status == PaymentStatus.AUTHORIZED
    # then it cannot be captured
    with pytest.raises(services.OrderError) as error:
        services.capture_order(order, staff)
    assert (error.value.code, error.value.message) == (
        "not_capturable",
        "An order that is cancelled cannot be charged.",
    )
    assert order.events.filter(type="note").get().note == "Gateway down."


def test_cancelling_a_partly_captured_order_voids_the_rest_and_refunds(
    shop_plugins, staff
):
    # given an order of 25.00 of which 10.00 is captured
    order = place([(VariantFactory(price=Decimal("10.00"), stock=5), 2)])
    services.capture_order(order, staff, Decimal("10.00"))
    # when it is cancelled
    services.cancel_order(order, staff)
    # then the rest of the authorization is released and the 10.00 given back
    payment = order.payments.get()
    assert (payment.status, payment.captured_amount, payment.refunded_amount) == (
        PaymentStatus.REFUNDED,
        Decimal("10.00"),
        Decimal("10.00"),
    )
    assert [t.kind for t in payment.transactions.all()] == [
        "authorize",
        "capture",
        "void",
        "refund",
    ]
