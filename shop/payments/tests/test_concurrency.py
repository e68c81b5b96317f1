"""Captures and refunds racing on one payment, on real PostgreSQL connections
(one per thread), with a gateway slow enough that both are in flight."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout.factories import SUCCESS_CARD, make_checkout
from shop.checkout.services import complete_checkout
from shop.payments import services
from shop.payments.models import Payment, PaymentStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at_once(calls) -> list:
    """Runs each call in its own thread, all released together; returns each
    one's result or PaymentError code."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except services.PaymentError as error:
            outcomes[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def slow_gateway(monkeypatch):
    answer = services.call_gateway

    def slow(kind, payment, amount, token=""):
        time.sleep(0.3)
        return answer(kind, payment, amount, token)

    monkeypatch.setattr(services, "call_gateway", slow)


@pytest.fixture
def authorized(shop_plugins):
    """A payment authorized for 2 × 10.00 + 5.00 shipping."""
    variant = VariantFactory(price=Decimal("10.00"), stock=5)
    checkout = make_checkout([(variant, 2)], user=UserFactory())
    order = complete_checkout(checkout, "k", "dummy-payment", SUCCESS_CARD).order
    payment = order.payments.get()
    assert payment.status == PaymentStatus.AUTHORIZED
    return payment


def test_two_captures_never_exceed_the_authorization(authorized, slow_gateway):
    # when two staff capture 15.00 each of 25.00 at the same moment
    outcomes = at_once(
        [lambda: services.capture(authorized, Decimal("15.00")) for _ in range(2)]
    )
    # then one goes through and the other is refused before the gateway
    assert sorted(o if isinstance(o, str) else "ok" for o in outcomes) == [
        "invalid_capture_amount",
        "ok",
    ]
    payment = Payment.objects.get(pk=authorized.pk)
    assert (payment.captured_amount, payment.capturing_amount, payment.status) == (
        Decimal("15.00"),
        Decimal("0.00"),
        PaymentStatus.PARTIALLY_CAPTURED,
    )
    assert payment.transactions.filter(kind="capture").count() == 1


def test_two_full_captures_take_the_amount_once(authorized, slow_gateway):
    outcomes = at_once([lambda: services.capture(authorized) for _ in range(2)])
    assert sorted(o if isinstance(o, str) else "ok" for o in outcomes) == [
        "nothing_to_capture",
        "ok",
    ]
    payment = Payment.objects.get(pk=authorized.pk)
    assert (payment.captured_amount, payment.status) == (
        Decimal("25.00"),
        PaymentStatus.CAPTURED,
    )
