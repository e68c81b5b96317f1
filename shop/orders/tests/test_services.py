from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout import services as checkout_services
from shop.checkout.factories import (
    SUCCESS_CARD,
    configure_shop_plugins,
    make_checkout,
    stock_of,
)
from shop.checkout.services import complete_checkout
from shop.orders import services
from shop.orders.models import Order, OrderStatus
from shop.orders.services import cancel_abandoned_orders
from shop.orders.tasks import (
    cancel_abandoned_orders as cancel_abandoned_orders_task,
)
from shop.payments import services as payment_services
from shop.payments.models import PaymentStatus
from shop.payments.services import PaymentError
from shop.plugins.types import TransactionKind

pytestmark = pytest.mark.django_db


def place(lines, gateway="dummy-payment", user=None):
    checkout = make_checkout(lines, user=user or UserFactory())
    return complete_checkout(checkout, "key", gateway, SUCCESS_CARD).order


def place_paid(lines, staff):
    order = place(lines)
    services.capture_order(order, staff)
    return order


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_partial_then_full_fulfilment(shop_plugins, staff):
    # given an order of 3 × a and 1 × b (stock 10 each)
    a, b = VariantFactory(stock=10), VariantFactory(stock=10)
    order = place_paid([(a, 3), (b, 1)], staff)
    line_a, line_b = order.lines.all()
    # when 2 of a ship
    services.fulfil_order(order, staff, "1Z001", {line_a.pk: 2})
    # then the order is partially fulfilled and the 2 units left the stock
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_FULFILLED
    assert stock_of(a) == (8, 1)
    # when the rest ships
    fulfillment = services.fulfil_order(order, staff, "1Z002")
    # then everything is shipped and nothing stays allocated
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert stock_of(a) == (7, 0)
    assert stock_of(b) == (9, 0)
    assert fulfillment.tracking_number == "1Z002"
    assert [(fl.order_line_id, fl.quantity) for fl in fulfillment.lines.all()] == [
        (line_a.pk, 1),
        (line_b.pk, 1),
    ]
    assert order.events.filter(type="fulfilled").count() == 2
    assert order.events.last().user == staff
    # and nothing more can ship
    with pytest.raises(services.OrderError) as error:
        services.fulfil_order(order, staff)
    assert error.value.code == "not_fulfillable"


def test_fulfilling_more_than_ordered_is_refused(shop_plugins, staff):
    a = VariantFactory(stock=10)
    order = place_paid([(a, 1)], staff)
    line = order.lines.get()
    with pytest.raises(services.OrderError) as error:
        services.fulfil_order(order, staff, quantities={line.pk: 2})
    assert error.value.code == "invalid_quantity"
    assert stock_of(a) == (10, 1)


def test_partial_then_full_refund_never_above_captured(db, staff):
    configure_shop_plugins(auto_capture=True)
    # given a captured order of 2 × 10.00 + 5.00 shipping
    order = place([(VariantFactory(price=Decimal("10.00"), stock=10), 2)])
    payment = order.payments.get()
    assert (payment.status, payment.captured_amount) == (
        PaymentStatus.CAPTURED,
        Decimal("25.00"),
    )
    # when 10.00 is refunded
    services.refund_order(order, staff, Decimal("10.00"), "damaged")
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        Decimal("10.00"),
    )
    # then more than what is left is refused
    with pytest.raises(PaymentError) as error:
        services.refund_order(order, staff, Decimal("15.01"))
    assert error.value.code == "invalid_refund_amount"
    # and the rest refunds in full, marking the order refunded
    services.refund_order(order, staff)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (
        PaymentStatus.REFUNDED,
        Decimal("25.00"),
    )
    assert order.status == OrderStatus.REFUNDED
    assert list(
        order.events.filter(type="refunded").values_list("data__amount", flat=True)
    ) == ["10.00", "15.00"]


def test_cancel_releases_stock_and_voids(shop_plugins):
    a = VariantFactory(stock=4)
    order = place([(a, 3)])
    services.cancel_order(order, note="changed my mind")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_of(a) == (4, 0)
    assert order.payments.get().status == PaymentStatus.VOIDED
    # and a cancelled order cannot be cancelled again
    with pytest.raises(services.OrderError) as error:
        services.cancel_order(order)
    assert error.value.code == "not_cancellable"
    assert stock_of(a) == (4, 0)


def test_cancel_refunds_a_captured_payment(db):
    configure_shop_plugins(auto_capture=True)
    order = place([(VariantFactory(stock=4), 1)])
    services.cancel_order(order)
    payment = order.payments.get()
    assert (payment.status, payment.refunded_amount) == (
        PaymentStatus.REFUNDED,
        payment.captured_amount,
    )


def test_shipped_order_cannot_be_cancelled(shop_plugins, staff):
    order = place_paid([(VariantFactory(stock=4), 1)], staff)
    services.fulfil_order(order, staff)
    with pytest.raises(services.OrderError) as error:
        services.cancel_order(order)
    assert error.value.code == "not_cancellable"


def test_mark_manual_payment_paid(shop_plugins, staff):
    # given an order paid by bank transfer, waiting
    order = place([(VariantFactory(stock=4), 1)], gateway="manual-payment")
    assert order.status == OrderStatus.UNCONFIRMED
    # when staff mark it paid
    services.mark_order_paid(order, staff)
    # then the payment is captured and the order can be shipped
    order.refresh_from_db()
    payment = order.payments.get()
    assert (payment.status, payment.captured_amount) == (
        PaymentStatus.CAPTURED,
        payment.amount,
    )
    assert order.status == OrderStatus.UNFULFILLED
    assert order.events.filter(type="marked_paid", user=staff).count() == 1
    # and it cannot be marked paid twice
    with pytest.raises(services.OrderError) as error:
        services.mark_order_paid(order, staff)
    assert error.value.code == "not_pending"


def test_abandoned_orders_fail_and_release_their_stock(shop_plugins):
    # given an order placed an hour ago whose payment never got an answer
    # (its worker died), a fresh one, and an old manual-payment order
    variant = VariantFactory(stock=10)
    checkout = make_checkout([(variant, 2)], user=UserFactory())
    state = checkout_services.load(checkout)
    with transaction.atomic():
        abandoned, _ = checkout_services._place_order(
            state, checkout_services.compute_totals(state), "k", "dummy-payment"
        )
    manual = place([(variant, 1)], gateway="manual-payment")
    Order.objects.filter(pk__in=[abandoned.pk, manual.pk]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    place([(variant, 1)])
    assert stock_of(variant) == (10, 4)
    # when the sweep runs
    swept = cancel_abandoned_orders()
    # then only the abandoned order is a failed attempt, its stock released
    assert swept == 1
    abandoned.refresh_from_db()
    assert abandoned.status == OrderStatus.FAILED
    assert abandoned.payments.get().status == PaymentStatus.FAILED
    assert stock_of(variant) == (10, 2)
    assert cancel_abandoned_orders() == 0


def test_a_payment_answering_after_the_sweep_is_voided(shop_plugins, monkeypatch):
    # given a gateway so slow that the order is swept while it answers
    variant = VariantFactory(stock=5)
    checkout = make_checkout([(variant, 1)], user=UserFactory())
    answer = payment_services.call_gateway

    def slow_gateway(kind, payment, amount, token=""):
        if kind == TransactionKind.AUTHORIZE:
            Order.objects.update(created_at=timezone.now() - timedelta(hours=1))
            assert cancel_abandoned_orders() == 1
        return answer(kind, payment, amount, token)

    monkeypatch.setattr(payment_services, "call_gateway", slow_gateway)
    # when the authorization then succeeds
    completion = complete_checkout(checkout, "k", "dummy-payment", SUCCESS_CARD)
    # then the order stays a failed attempt and the money is not held
    assert completion.order.status == OrderStatus.FAILED
    assert completion.payment.status == PaymentStatus.VOIDED
    assert stock_of(variant) == (5, 0)


def test_the_sweep_task_runs_the_service(shop_plugins):
    # given no abandoned order, the task finds nothing to cancel
    assert cancel_abandoned_orders_task.delay().get() == 0
