from decimal import Decimal

import pytest

from cms.factories import VariantFactory
from shop.cart.models import CartLine
from shop.checkout import services
from shop.checkout.factories import (
    ADDRESS,
    DECLINED_CARD,
    SUCCESS_CARD,
    configure_shop_plugins,
    make_checkout,
    stock_of,
)
from shop.discounts.factories import VoucherFactory
from shop.discounts.models import VoucherScope
from shop.orders.models import Order, OrderStatus
from shop.payments.models import PaymentStatus
from shop.stock.services import InsufficientStock
from shop.webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def test_completion_places_a_paid_order_with_copied_lines(shop_plugins, user):
    # given a checkout of 2 × 10.00 and 1 × 4.50, shipped for 5.00 to the US
    a = VariantFactory(price=Decimal("10.00"), stock=5, size="M", color="red")
    b = VariantFactory(price=Decimal("4.50"), stock=1)
    checkout = make_checkout([(a, 2), (b, 1)], user=user)
    Webhook.objects.create(
        name="orders", target_url="https://example.com/hook", events=["order_created"]
    )
    # when it is completed with the test card
    completion = services.complete_checkout(
        checkout, "key-1", "dummy-payment", SUCCESS_CARD
    )
    # then the order holds copies of the lines and the server's totals
    order = completion.order
    assert not completion.declined
    assert order.status == OrderStatus.UNFULFILLED
    assert (order.subtotal_gross, order.shipping_gross, order.total_gross) == (
        Decimal("24.50"),
        Decimal("5.00"),
        Decimal("29.50"),
    )
    assert [
        (line.sku, line.variant_name, line.quantity, line.unit_price_gross)
        for line in order.lines.all()
    ] == [
        (a.sku, "M / red", 2, Decimal("10.00")),
        (b.sku, "M / black", 1, Decimal("4.50")),
    ]
    assert order.user == user
    assert order.shipping_address["city"] == "Springfield"
    # and the stock is allocated, the payment authorized, the cart emptied
    assert stock_of(a) == (5, 2)
    assert stock_of(b) == (1, 1)
    payment = order.payments.get()
    assert (payment.status, payment.amount) == (
        PaymentStatus.AUTHORIZED,
        Decimal("29.50"),
    )
    assert not CartLine.objects.filter(cart=checkout.cart).exists()
    checkout.refresh_from_db()
    assert checkout.completed_at is not None
    # and the webhooks outbox got the order_created event
    assert WebhookDelivery.objects.filter(event="order_created").count() == 1
    assert list(order.events.values_list("type", flat=True)) == [
        "placed",
        "payment_authorized",
        "status_changed",
    ]
    # and a later catalog edit does not change the order
    a.price = Decimal("99.00")
    a.save()
    assert order.lines.get(sku=a.sku).unit_price_gross == Decimal("10.00")


def test_short_line_fails_cleanly(shop_plugins, user):
    # given a checkout wanting 3 of a variant with 2 left
    a = VariantFactory(stock=5)
    b = VariantFactory(stock=2)
    checkout = make_checkout([(a, 1), (b, 3)], user=user)
    # when it is completed
    with pytest.raises(InsufficientStock) as error:
        services.complete_checkout(checkout, "key-1", "dummy-payment", SUCCESS_CARD)
    # then insufficient_stock naming the variant; nothing written
    assert error.value.code == "insufficient_stock"
    assert error.value.detail == {
        "variants": [{"variant_id": b.pk, "requested": 3, "available": 2}]
    }
    assert Order.objects.count() == 0
    assert stock_of(a) == (5, 0)
    assert stock_of(b) == (2, 0)
    assert CartLine.objects.filter(cart=checkout.cart).count() == 2


def test_declined_payment_leaves_no_allocation(
    shop_plugins, user, mailoutbox, django_capture_on_commit_callbacks
):
    # given a checkout of 2 units, and a webhook on every order event
    a = VariantFactory(stock=5)
    checkout = make_checkout([(a, 2)], user=user)
    Webhook.objects.create(
        name="orders",
        target_url="https://example.com/hook",
        events=["order_created", "order_cancelled", "order_paid"],
    )
    # when the card is declined
    with django_capture_on_commit_callbacks(execute=True):
        completion = services.complete_checkout(
            checkout, "key-1", "dummy-payment", DECLINED_CARD
        )
    # then the order is a failed attempt, the payment failed, the stock released
    assert completion.declined
    assert completion.error == "card_declined"
    assert completion.order.status == OrderStatus.FAILED
    assert completion.payment.status == PaymentStatus.FAILED
    assert stock_of(a) == (5, 0)
    assert list(completion.order.events.values_list("type", flat=True)) == [
        "placed",
        "payment_failed",
        "status_changed",
    ]
    # and nobody downstream hears of it: no email, no webhook
    assert mailoutbox == []
    assert WebhookDelivery.objects.count() == 0
    # and the shopper can try again with another card (and a new key)
    checkout.refresh_from_db()
    assert checkout.order_id is None
    with django_capture_on_commit_callbacks(execute=True):
        retry = services.complete_checkout(
            checkout, "key-2", "dummy-payment", SUCCESS_CARD
        )
    assert retry.order.status == OrderStatus.UNFULFILLED
    assert stock_of(a) == (5, 2)
    # which is announced once, as placed and authorized
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == [
        "order_created"
    ]
    [email] = mailoutbox
    assert retry.order.number in email.subject


def test_same_key_returns_the_same_order(shop_plugins, user):
    # given a completed checkout
    a = VariantFactory(stock=5)
    checkout = make_checkout([(a, 2)], user=user)
    first = services.complete_checkout(checkout, "key-1", "dummy-payment", SUCCESS_CARD)
    # when the same key is sent again
    again = services.complete_checkout(checkout, "key-1", "dummy-payment", SUCCESS_CARD)
    # then it is the same order, and nothing more was allocated
    assert (again.order.pk, again.created) == (first.order.pk, False)
    assert Order.objects.count() == 1
    assert stock_of(a) == (5, 2)
    # and another key on the completed checkout is refused
    checkout.refresh_from_db()
    with pytest.raises(services.CheckoutError) as error:
        services.complete_checkout(checkout, "key-2", "dummy-payment", SUCCESS_CARD)
    assert error.value.code == "checkout_completed"


def test_manual_payment_waits_for_staff(shop_plugins, user):
    # given a checkout paid by bank transfer
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    # when completed
    completion = services.complete_checkout(checkout, "k", "manual-payment", "")
    # then the order is unconfirmed with a pending payment
    assert completion.order.status == OrderStatus.UNCONFIRMED
    assert completion.payment.status == PaymentStatus.PENDING


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("email", "email_required"),
        ("shipping_address", "shipping_address_required"),
        ("billing_address", "billing_address_required"),
        ("shipping_method_id", "shipping_method_required"),
    ],
)
def test_incomplete_checkout_is_refused(shop_plugins, user, field, code):
    a = VariantFactory(stock=5)
    checkout = make_checkout(
        [(a, 1)],
        user=user,
        **{field: "" if field in ("email", "shipping_method_id") else None},
    )
    with pytest.raises(services.CheckoutError) as error:
        services.complete_checkout(checkout, "k", "dummy-payment", SUCCESS_CARD)
    assert error.value.code == code
    assert Order.objects.count() == 0
    assert stock_of(a) == (5, 0)


def test_unknown_gateway_is_refused(shop_plugins, user):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=user)
    with pytest.raises(services.CheckoutError) as error:
        services.complete_checkout(checkout, "k", "no-such-gateway", SUCCESS_CARD)
    assert error.value.code == "invalid_gateway"


def _completion_queries(lines, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    checkout = make_checkout(
        [(VariantFactory(stock=50), 2) for _ in range(lines)], user=user
    )
    with CaptureQueriesContext(connection) as queries:
        services.complete_checkout(checkout, "key", "dummy-payment", SUCCESS_CARD)
    return len(queries)


def test_completion_query_count_does_not_grow_with_lines(settings, django_user_model):
    # given the shop's own plugins only (others add their own queries; this
    # budget is the checkout's), webhooks subscribed so the outbox is written
    settings.PLUGINS = [path for path in settings.PLUGINS if path.startswith("shop.")]
    configure_shop_plugins()
    Webhook.objects.create(
        name="all",
        target_url="https://example.com/hook",
        events=["order_created", "order_paid"],
    )
    # when checkouts of 1 and of 10 lines complete
    one = _completion_queries(1, django_user_model.objects.create_user("a@example.com"))
    ten = _completion_queries(
        10, django_user_model.objects.create_user("b@example.com")
    )
    # then both take the same, small number of queries (savepoints included:
    # in production they are the transactions' BEGIN and COMMIT)
    assert one == ten
    assert one == 38


def test_category_voucher_takes_off_its_lines_only(shop_plugins, user):
    # given a 50% voucher on one category, and a line in it and one outside
    inside = VariantFactory(price=Decimal("10.00"), stock=5)
    outside = VariantFactory(price=Decimal("30.00"), stock=5)
    category = inside.product.get_parent().specific
    VoucherFactory(
        code="HALF",
        value=Decimal("50"),
        scope=VoucherScope.LINES,
        categories=[category],
    )
    checkout = make_checkout([(inside, 1), (outside, 1)], user=user)
    services.apply_voucher(checkout, "half")
    # when completed
    order = services.complete_checkout(
        checkout, "k", "dummy-payment", SUCCESS_CARD
    ).order
    # then only the category's line was discounted: 10 + 30 + 5 - 5
    assert (order.discount_amount, order.total_gross, order.voucher_code) == (
        Decimal("5.00"),
        Decimal("40.00"),
        "HALF",
    )


def test_order_confirmation_email_is_sent_after_commit(
    shop_plugins, user, mailoutbox, django_capture_on_commit_callbacks
):
    # given a checkout of 2 units of a product
    variant = VariantFactory(price=Decimal("10.00"), stock=5)
    checkout = make_checkout([(variant, 2)], user=user)
    # when it completes and its transactions commit
    with django_capture_on_commit_callbacks(execute=True):
        order = services.complete_checkout(
            checkout, "k", "dummy-payment", SUCCESS_CARD
        ).order
    # then the shopper gets the confirmation, built from the order's copy
    [email] = mailoutbox
    assert email.to == ["ada@example.com"]
    assert order.number in email.subject
    assert email.body == (
        f"Thank you for your order {order.number}.\n\n"
        f"2 x {variant.product.title} ({variant.size} / {variant.color}): "
        "20.00 USD\n"
        "Subtotal: 20.00 USD\nShipping: 5.00 USD\nTotal: 25.00 USD\n"
        "Tax included in the total: 0.00 USD\n\n"
        "We will let you know when it ships.\n\nShop\n"
    )


def test_confirmation_email_lines_discount_shipping_and_tax_add_up(
    shop_plugins, user, mailoutbox, django_capture_on_commit_callbacks
):
    # given a German checkout (19% tax) of two products with a 10% voucher
    a = VariantFactory(price=Decimal("10.00"), stock=5)
    b = VariantFactory(price=Decimal("33.33"), stock=5)
    VoucherFactory(code="TENOFF", value=Decimal("10"))
    address = {**ADDRESS, "country": "DE"}
    checkout = make_checkout(
        [(a, 3), (b, 1)],
        user=user,
        shipping_address=address,
        billing_address=address,
    )
    services.apply_voucher(checkout, "TENOFF")
    # when it completes
    with django_capture_on_commit_callbacks(execute=True):
        order = services.complete_checkout(
            checkout, "k", "dummy-payment", SUCCESS_CARD
        ).order
    # then the email names every line, the subtotal, shipping, discount,
    # tax and total
    [email] = mailoutbox
    amounts = dict(
        line.rsplit(": ", 1) for line in email.body.splitlines() if ": " in line
    )
    amounts = {
        label: Decimal(value.removesuffix(" USD")) for label, value in amounts.items()
    }
    line_totals = [v for k, v in amounts.items() if " x " in k]
    assert line_totals == [Decimal("35.70"), Decimal("39.66")]
    assert amounts["Subtotal"] == sum(line_totals) == order.subtotal_gross
    assert amounts["Shipping"] == order.shipping_gross == Decimal("5.95")
    assert amounts["Discount (TENOFF)"] == -order.discount_amount
    assert amounts["Total"] == order.total_gross
    # and they add up
    assert (
        amounts["Subtotal"] + amounts["Shipping"] + amounts["Discount (TENOFF)"]
        == amounts["Total"]
    )
    assert amounts["Tax included in the total"] == order.taxes > 0
