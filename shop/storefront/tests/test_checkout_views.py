"""The storefront checkout, step by step, through Django's test client."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from shop.accounts.services import save_address
from shop.checkout.factories import DECLINED_CARD, STANDARD, SUCCESS_CARD, stock_of
from shop.checkout.models import Checkout
from shop.demo.sales import configure_demo_shop
from shop.discounts.factories import VoucherFactory
from shop.orders.models import Order, OrderStatus
from shop.plugins.manager import invalidate_plugins_manager
from shop.stock.models import Stock
from shop.storefront.tests.conftest import SHIPPING, fill_cart

pytestmark = pytest.mark.django_db

CHECKOUT = "/checkout/"
SHIPPING_STEP = "/checkout/shipping/"
PAYMENT = "/checkout/payment/"
CONFIRMATION = "/checkout/confirmation/"


def html(response) -> str:
    return response.content.decode()


def key_of(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html(response))[
        1
    ]


def to_payment(client, email="grace@example.com"):
    """Information and shipping filled in as a guest; returns the payment page."""
    response = client.post(CHECKOUT, {"email": email, **SHIPPING, "billing_same": "on"})
    assert response.status_code == 302, html(response)
    assert response["Location"] == SHIPPING_STEP
    response = client.post(SHIPPING_STEP, {"shipping_method_id": STANDARD})
    assert response.status_code == 302, html(response)
    assert response["Location"] == PAYMENT
    return client.get(PAYMENT)


def place(client, page, card=SUCCESS_CARD, key=None):
    return client.post(
        PAYMENT,
        {
            "gateway": "dummy-payment",
            "card_number": card,
            "idempotency_key": key or key_of(page),
        },
    )


def test_a_guest_buys_from_information_to_confirmation(
    client, store, django_capture_on_commit_callbacks
):
    fill_cart(client, lines=[(store["oxford"], 2)])

    information = client.get(CHECKOUT)
    assert information.status_code == 200
    assert 'id="summary-subtotal">40.00 USD</dd>' in html(information)
    assert 'name="email"' in html(information)

    payment = to_payment(client)
    page = html(payment)
    assert payment.status_code == 200
    assert 'id="summary-shipping">5.00 USD</dd>' in page
    assert 'id="summary-total"><strong>45.00 USD</strong>' in page
    # the dummy gateway's test cards are shown while it is offered
    assert "<li><code>4242424242424242</code>: accepted</li>" in page
    assert "<li><code>4000000000000002</code>: declined (card declined)</li>" in page

    with django_capture_on_commit_callbacks(execute=True):
        placed = place(client, payment)

    assert placed.status_code == 302
    assert placed["Location"] == CONFIRMATION
    order = Order.objects.get()
    assert order.status == OrderStatus.UNFULFILLED
    assert order.email == "grace@example.com"
    assert order.total_gross == Decimal("45.00")
    assert order.user is None
    assert order.shipping_address == order.billing_address
    assert order.shipping_address["city"] == "Springfield"
    assert stock_of(store["oxford"]) == (5, 2)
    confirmation = client.get(CONFIRMATION)
    assert confirmation.status_code == 200
    assert f"Order {order.number} is placed" in html(confirmation)
    assert 'id="order-total"><strong>45.00 USD</strong>' in html(confirmation)
    assert [m.to for m in mail.outbox] == [["grace@example.com"]]
    # the cart is empty: the checkout starts over
    assert "Your cart is empty" in html(client.get(CHECKOUT))


def test_the_same_form_posted_twice_places_one_order(client, store):
    fill_cart(client, lines=[(store["oxford"], 1)])
    payment = to_payment(client)
    key = key_of(payment)

    first = place(client, payment, key=key)
    second = place(client, payment, key=key)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == CONFIRMATION
    assert Order.objects.count() == 1
    # a payment page rendered before the order was placed, posted after it
    stale = place(client, payment, key="another-key")
    assert stale["Location"] == CONFIRMATION
    assert Order.objects.count() == 1
    assert stock_of(store["oxford"]) == (5, 1)


def test_each_render_of_the_payment_page_has_a_new_key(client, store):
    fill_cart(client, lines=[(store["oxford"], 1)])
    payment = to_payment(client)

    assert key_of(payment) != key_of(client.get(PAYMENT))


def test_a_declined_card_says_so_beside_the_card_and_the_shopper_retries(client, store):
    fill_cart(client, lines=[(store["oxford"], 1)])
    payment = to_payment(client)

    declined = place(client, payment, card=DECLINED_CARD)

    page = html(declined)
    assert declined.status_code == 200
    assert (
        '<p class="field-error" id="id_card_number_error">Your card was declined. '
        "Try another card or payment method.</p>" in page
    )
    assert Order.objects.get().status == OrderStatus.FAILED
    assert stock_of(store["oxford"]) == (5, 0)
    # a new key for the retry
    assert key_of(declined) != key_of(payment)

    retried = place(client, declined)

    assert retried["Location"] == CONFIRMATION
    assert list(Order.objects.values_list("status", flat=True)) == [
        OrderStatus.UNFULFILLED,
        OrderStatus.FAILED,
    ]


def test_an_invalid_voucher_is_refused_beside_the_field(client, store):
    fill_cart(client, lines=[(store["oxford"], 2)])
    to_payment(client)

    response = client.post("/checkout/voucher/", {"code": "NOPE"})

    assert response.status_code == 200
    assert (
        '<p class="field-error" id="id_code_error">This voucher code is not valid. '
        "Check it and try again.</p>" in html(response)
    )
    assert Checkout.objects.get().voucher_code == ""


def test_a_voucher_is_applied_and_removed(client, store):
    VoucherFactory(code="TENOFF", value=Decimal("10"))
    fill_cart(client, lines=[(store["oxford"], 2)])
    to_payment(client)

    applied = client.post("/checkout/voucher/", {"code": "tenoff"}, follow=True)

    page = html(applied)
    assert "Voucher <strong>TENOFF</strong> applied: −4.00 USD." in page
    assert 'id="summary-total"><strong>41.00 USD</strong>' in page
    removed = client.post("/checkout/voucher/remove/", follow=True)
    assert 'id="summary-total"><strong>45.00 USD</strong>' in html(removed)
    assert Checkout.objects.get().voucher_code == ""


def test_out_of_stock_at_placement_names_the_line(client, store):
    fill_cart(client, lines=[(store["oxford"], 1), (store["linen"], 2)])
    payment = to_payment(client)
    # someone else bought the linen shirts meanwhile
    Stock.objects.filter(variant=store["linen"]).update(quantity_allocated=2)

    response = place(client, payment)

    assert response.status_code == 200
    assert (
        "Some items ran out while you were checking out: Linen shirt (L / white): "
        "only 1 left. Change the quantities in your cart; nothing was ordered."
        in html(response)
    )
    assert not Order.objects.exists()


def test_form_errors_show_beside_their_fields(client, store):
    fill_cart(client, lines=[(store["oxford"], 1)])

    response = client.post(
        CHECKOUT,
        {"email": "not-an-email", **SHIPPING, "shipping-city": "", "billing_same": ""},
    )

    page = html(response)
    assert response.status_code == 200
    assert (
        '<p class="field-error" id="id_email_error">Enter a valid email address.</p>'
        in page
    )
    assert (
        '<p class="field-error" id="id_shipping-city_error">This field is required.</p>'
        in page
    )
    # billing differs from shipping, so its fields are required too
    assert 'id="id_billing-street_address_1_error"' in page
    assert Checkout.objects.get().shipping_address is None


def test_a_separate_billing_address_is_kept(client, store):
    fill_cart(client, lines=[(store["oxford"], 1)])
    billing = {
        key.replace("shipping-", "billing-"): value for key, value in SHIPPING.items()
    }

    client.post(
        CHECKOUT,
        {
            "email": "g@example.com",
            **SHIPPING,
            **billing,
            "billing-city": "Paris",
            "billing-country": "FR",
        },
    )

    checkout = Checkout.objects.get()
    assert checkout.shipping_address["city"] == "Springfield"
    assert checkout.billing_address["city"] == "Paris"
    assert checkout.billing_address["country"] == "FR"


def test_a_signed_in_shopper_ships_to_a_saved_address(client, store, user):
    address = save_address(
        user,
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "street_address_1": "12 Analytical Way",
            "city": "London",
            "postal_code": "N1 7AA",
            "country": "GB",
        },
        default_shipping=True,
    )
    client.force_login(user)
    fill_cart(client, user=user, lines=[(store["oxford"], 1)])

    page = html(client.get(CHECKOUT))
    assert 'name="email"' not in page
    assert f'<input type="radio" name="saved_address" value="{address.pk}" ' in page
    assert "Ada Lovelace, 12 Analytical Way, N1 7AA London, GB" in page

    response = client.post(
        CHECKOUT, {"saved_address": str(address.pk), "billing_same": "on"}
    )

    assert response["Location"] == SHIPPING_STEP
    checkout = Checkout.objects.get()
    assert checkout.user == user
    assert checkout.email == "ada@example.com"
    assert checkout.shipping_address["street_address_1"] == "12 Analytical Way"
    assert checkout.billing_address == checkout.shipping_address
    client.post(SHIPPING_STEP, {"shipping_method_id": STANDARD})
    placed = place(client, client.get(PAYMENT))
    assert placed["Location"] == CONFIRMATION
    assert Order.objects.get().user == user


def test_the_steps_need_what_comes_before(client, store):
    fill_cart(client, lines=[(store["oxford"], 1)])

    assert client.get(SHIPPING_STEP)["Location"] == CHECKOUT
    assert client.get(PAYMENT)["Location"] == CHECKOUT
    client.post(CHECKOUT, {"email": "g@example.com", **SHIPPING, "billing_same": "on"})
    assert client.get(PAYMENT)["Location"] == SHIPPING_STEP
    assert client.get(CONFIRMATION)["Location"] == CHECKOUT


def test_an_empty_cart_has_nothing_to_check_out(client, store):
    response = client.get(CHECKOUT)

    assert response.status_code == 200
    assert "Your cart is empty" in html(response)
    assert not Checkout.objects.exists()


def test_checkout_pages_are_never_cached(client, store):
    fill_cart(client, lines=[(store["oxford"], 1)])

    response = client.get(CHECKOUT)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_forms_need_the_csrf_token(store):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    fill_cart(client, lines=[(store["oxford"], 1)])

    response = client.post(CHECKOUT, {"email": "g@example.com", **SHIPPING})

    assert response.status_code == 403


@pytest.mark.parametrize("variants", [1, 2])
def test_payment_page_queries_do_not_grow_with_lines(
    client, store, variants, django_assert_num_queries
):
    lines = [(store["oxford"], 1), (store["linen"], 1)][:variants]
    fill_cart(client, lines=lines)
    to_payment(client)

    # session, cart, checkout, its lines, their categories; the header's site,
    # top categories and mini-cart count
    with django_assert_num_queries(8):
        response = client.get(PAYMENT)

    assert response.status_code == 200


def test_a_signed_in_shopper_saves_a_new_address_while_checking_out(
    client, store, user
):
    client.force_login(user)
    fill_cart(client, user=user, lines=[(store["oxford"], 1)])

    response = client.post(
        CHECKOUT, {**SHIPPING, "billing_same": "on", "remember": "on"}
    )

    assert response["Location"] == SHIPPING_STEP
    address = user.addresses.get()
    assert (address.street_address_1, address.city) == ("1 Main St", "Springfield")
    user.refresh_from_db()
    assert user.default_shipping_address == address
    # offered, chosen, the next time
    page = html(client.get(CHECKOUT))
    assert f'<input type="radio" name="saved_address" value="{address.pk}" ' in page
    assert 'name="email"' not in page


def test_the_demo_shop_sells_through_the_storefront(client, store):
    configure_demo_shop()
    invalidate_plugins_manager()
    fill_cart(client, lines=[(store["oxford"], 1)])
    client.post(CHECKOUT, {"email": "g@example.com", **SHIPPING, "billing_same": "on"})
    client.post(SHIPPING_STEP, {"shipping_method_id": "shipping-rates:standard"})
    client.post("/checkout/voucher/", {"code": "WELCOME10"})

    payment = client.get(PAYMENT)

    page = html(payment)
    assert "<li><code>4242424242424242</code>: accepted</li>" in page
    assert "Transfer the total to IBAN" in page
    assert 'id="summary-total"><strong>22.90 USD</strong>' in page
    assert place(client, payment)["Location"] == CONFIRMATION
    assert Order.objects.get().status == OrderStatus.UNFULFILLED
