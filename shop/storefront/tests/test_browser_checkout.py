"""Checkout and account journeys in Chromium against a live server on
PostgreSQL. Every journey here runs with JavaScript off: plain forms and links.

Each test takes the ``theme`` fixture (see conftest), so the journeys can run
in every theme by parametrizing it.
"""

import re

import pytest
from django.core import mail

from shop.accounts.factories import UserFactory
from shop.accounts.models import User
from shop.accounts.services import save_address
from shop.checkout.factories import DECLINED_CARD, SUCCESS_CARD
from shop.orders.models import Order, OrderStatus
from shop.storefront.tests.conftest import (
    PASSWORD,
    browser_session_with_cart,
    session_cookie,
    use_theme,
)
from shop.testing.browser import in_browser, visit

# serialized_rollback: the flush after the test then leaves the data other tests
# need (the page tree root, the default site).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NO_SCRIPT = {"java_script_enabled": False}


def fill_address(page, prefix):
    page.fill(f"#id_{prefix}-first_name", "Grace")
    page.fill(f"#id_{prefix}-last_name", "Hopper")
    page.fill(f"#id_{prefix}-street_address_1", "7 Harbor Rd")
    page.fill(f"#id_{prefix}-city", "Arlington")
    page.fill(f"#id_{prefix}-postal_code", "22201")
    page.select_option(f"#id_{prefix}-country", "US")


def submit(page, label):
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def choose_standard_shipping(page):
    page.get_by_label("Standard: 5.00 USD").check()
    submit(page, "Continue to payment")


def pay(page, card):
    page.get_by_label("Dummy payment gateway").check()
    page.fill("#id_card_number", card)
    submit(page, re.compile(r"^Place order"))


@pytest.fixture
def storefront(store, theme):
    use_theme(theme)
    return store


def test_a_guest_buys_from_the_product_page_with_javascript_off(
    browser_type_launch_args, live_server, storefront
):
    base = live_server.url
    product_url = base + storefront["oxford"].product.url

    def steps(page):
        visit(page, product_url)
        page.fill("#quantity", "2")
        submit(page, "Add to cart")
        with page.expect_navigation():
            page.get_by_role("link", name="Check out").click()
        page.fill("#id_email", "grace@example.com")
        fill_address(page, "shipping")
        submit(page, "Continue to shipping")
        choose_standard_shipping(page)
        test_cards = page.locator("#test-cards").inner_text()
        total = page.locator("#summary-total").inner_text()
        pay(page, SUCCESS_CARD)
        return page.url, page.locator("h1").inner_text(), test_cards, total

    (url, heading, test_cards, total), violations = in_browser(
        browser_type_launch_args, steps, **NO_SCRIPT
    )

    assert violations == [], "\n".join(violations)
    order = Order.objects.get()
    assert url == f"{base}/checkout/confirmation/"
    assert heading == f"Thank you! Order {order.number} is placed."
    assert "4242424242424242: accepted" in test_cards
    assert total == "45.00 USD"
    assert order.status == OrderStatus.UNFULFILLED
    assert order.email == "grace@example.com"
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("OX-M", 2)]


def test_errors_beside_fields_an_invalid_voucher_and_a_declined_card(
    browser_type_launch_args, live_server, storefront
):
    base = live_server.url
    key = browser_session_with_cart([(storefront["oxford"], 1)])

    def steps(page):
        page.context.add_cookies([session_cookie(base, key)])
        visit(page, f"{base}/checkout/")
        page.fill("#id_email", "not-an-email")
        submit(page, "Continue to shipping")
        errors = {
            "email": page.locator("#id_email_error").inner_text(),
            "city": page.locator("#id_shipping-city_error").inner_text(),
        }
        page.fill("#id_email", "grace@example.com")
        fill_address(page, "shipping")
        submit(page, "Continue to shipping")
        choose_standard_shipping(page)
        page.fill("#id_code", "BOGUS")
        submit(page, "Apply")
        errors["voucher"] = page.locator("#id_code_error").inner_text()
        pay(page, DECLINED_CARD)
        errors["card"] = page.locator("#id_card_number_error").inner_text()
        pay(page, SUCCESS_CARD)
        return errors, page.url

    (errors, url), violations = in_browser(browser_type_launch_args, steps, **NO_SCRIPT)

    assert violations == [], "\n".join(violations)
    assert errors == {
        "email": "Enter a valid email address.",
        "city": "This field is required.",
        "voucher": "This voucher code is not valid. Check it and try again.",
        "card": "Your card was declined. Try another card or payment method.",
    }
    assert url == f"{base}/checkout/confirmation/"
    assert sorted(Order.objects.values_list("status", flat=True)) == [
        OrderStatus.FAILED,
        OrderStatus.UNFULFILLED,
    ]


def test_a_registered_shopper_buys_with_a_saved_address_sees_and_cancels(
    browser_type_launch_args, live_server, storefront
):
    base = live_server.url
    shopper = UserFactory(email="ada@example.com", password=PASSWORD)
    save_address(
        shopper,
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
    # the anonymous cart comes along at sign-in
    key = browser_session_with_cart([(storefront["linen"], 1)])

    def steps(page):
        page.context.add_cookies([session_cookie(base, key)])
        visit(page, f"{base}/checkout/")
        with page.expect_navigation():
            page.locator("main").get_by_role("link", name="Sign in").click()
        page.fill("#id_email", "ada@example.com")
        page.fill("#id_password", PASSWORD)
        submit(page, "Sign in")
        back_at = page.url
        saved = page.get_by_label(re.compile("12 Analytical Way")).is_checked()
        submit(page, "Continue to shipping")
        choose_standard_shipping(page)
        pay(page, SUCCESS_CARD)
        with page.expect_navigation():
            page.get_by_role("link", name="See this order in your account").click()
        detail = page.locator("main").inner_text()
        submit(page, "Cancel this order")
        status = page.locator(".order-status").inner_text()
        visit(page, f"{base}/account/orders/")
        history = page.locator("table.orders").inner_text()
        return back_at, saved, detail, status, history

    (back_at, saved, detail, status, history), violations = in_browser(
        browser_type_launch_args, steps, **NO_SCRIPT
    )

    assert violations == [], "\n".join(violations)
    order = Order.objects.get()
    assert back_at == f"{base}/checkout/"
    assert saved is True
    assert order.user == shopper
    assert order.shipping_address["city"] == "London"
    assert "Status: Unfulfilled" in detail
    assert "40.50 USD" in detail
    assert status == "Cancelled"
    assert f"Order {order.number}" in history and "Cancelled" in history


def test_sign_up_sign_out_and_reset_the_password_from_the_email(
    browser_type_launch_args, live_server, storefront
):
    base = live_server.url

    def steps(page):
        visit(page, f"{base}/account/register/")
        page.fill("#id_email", "grace@example.com")
        page.fill("#id_password", PASSWORD)
        submit(page, "Create account")
        page.fill("#id_email", "grace@example.com")
        page.fill("#id_password", PASSWORD)
        submit(page, "Sign in")
        signed_in = page.locator("main").inner_text()
        submit(page, "Sign out")
        visit(page, f"{base}/account/password-reset/")
        page.fill("#id_email", "grace@example.com")
        submit(page, "Send the link")
        link = re.search(r"https?://\S+", mail.outbox[-1].body)[0]
        visit(page, base + link[link.index("/account/") :])
        landed = page.url
        page.fill("#id_new_password", "a-brand-new-secret-77")
        submit(page, "Set the new password")
        page.fill("#id_email", "grace@example.com")
        page.fill("#id_password", "a-brand-new-secret-77")
        submit(page, "Sign in")
        return signed_in, landed, page.url

    (signed_in, landed, url), violations = in_browser(
        browser_type_launch_args, steps, **NO_SCRIPT
    )

    assert violations == [], "\n".join(violations)
    assert "Signed in as grace@example.com." in signed_in
    # the token left the address bar
    assert landed == f"{base}/account/password-reset/confirm/"
    assert url == f"{base}/account/"
    assert User.objects.get().check_password("a-brand-new-secret-77")
