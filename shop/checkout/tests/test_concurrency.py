"""Many shoppers completing at the same moment, on real PostgreSQL
connections (one per thread)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.checkout import services
from shop.checkout.factories import SUCCESS_CARD, make_checkout
from shop.checkout.models import Checkout
from shop.core.errors import ServiceError
from shop.discounts.factories import VoucherFactory
from shop.discounts.models import Voucher
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Payment, PaymentStatus
from shop.stock.models import Stock

THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def complete_all_at_once(checkouts, same_key=False) -> list:
    """Completes every checkout in its own thread, all released together;
    returns each one's Completion or service error code."""
    barrier = threading.Barrier(len(checkouts))
    outcomes = [None] * len(checkouts)

    def run(index, checkout):
        try:
            barrier.wait()
            outcomes[index] = services.complete_checkout(
                checkout,
                "key" if same_key else f"key-{index}",
                "dummy-payment",
                SUCCESS_CARD,
            )
        except ServiceError as error:
            outcomes[index] = error.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, checkout))
        for index, checkout in enumerate(checkouts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_shoppers_five_units(shop_plugins):
    # given a variant with 5 units left and 20 shoppers wanting one each
    variant = VariantFactory(price=Decimal("10.00"), stock=5)
    checkouts = [
        make_checkout([(variant, 1)], user=UserFactory()) for _ in range(THREADS)
    ]
    # when they all complete at once
    outcomes = complete_all_at_once(checkouts)
    # then exactly 5 orders were placed and paid, the others refused cleanly
    placed = [o for o in outcomes if isinstance(o, services.Completion)]
    assert len(placed) == 5
    assert (
        sorted(o for o in outcomes if isinstance(o, str)) == ["insufficient_stock"] * 15
    )
    assert Order.objects.count() == 5
    assert Order.objects.filter(status=OrderStatus.UNFULFILLED).count() == 5
    # and the stock is exactly sold out
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.quantity_allocated) == (5, 5)
    # and the only payments are the 5 authorized ones
    assert (
        list(Payment.objects.values_list("status", flat=True))
        == [PaymentStatus.AUTHORIZED] * 5
    )


def test_twenty_shoppers_voucher_with_three_uses(shop_plugins):
    # given a voucher usable 3 times and 20 shoppers applying it
    variant = VariantFactory(price=Decimal("10.00"), stock=100)
    VoucherFactory(code="THREE", usage_limit=3)
    checkouts = [
        make_checkout([(variant, 2)], user=UserFactory(), voucher_code="THREE")
        for _ in range(THREADS)
    ]
    # when they all complete at once
    outcomes = complete_all_at_once(checkouts)
    # then exactly 3 orders got through; the others were refused and kept nothing
    assert len([o for o in outcomes if isinstance(o, services.Completion)]) == 3
    assert (
        sorted(o for o in outcomes if isinstance(o, str))
        == ["voucher_usage_limit_reached"] * 17
    )
    assert Voucher.objects.get(code="THREE").used_count == 3
    assert Order.objects.count() == 3
    assert Stock.objects.get(variant=variant).quantity_allocated == 6


def test_one_key_sent_ten_times_at_once_places_one_order(shop_plugins):
    # given one checkout, and a client retrying its completion 10 times at once
    variant = VariantFactory(stock=5)
    checkout = make_checkout([(variant, 2)], user=UserFactory())
    copies = [Checkout.objects.get(pk=checkout.pk) for _ in range(10)]
    # when every retry runs concurrently with the same key
    outcomes = complete_all_at_once(copies, same_key=True)
    # then they all answer with the one order
    assert {o.order.pk for o in outcomes} == {Order.objects.get().pk}
    assert sum(o.created for o in outcomes) == 1
    assert Stock.objects.get(variant=variant).quantity_allocated == 2
