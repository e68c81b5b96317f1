"""The whole shopper journey in Chromium against a live server, in each theme:
home -> category -> product -> add to cart -> cart -> checkout -> confirmation,
as a guest and as a shopper who registers first. At every page on the way:
no serious or critical axe-core violation, nothing wider than a 390 px phone,
a CSRF field in every POST form; screenshots per theme under var/screenshots/."""

import re

import pytest

from shop.checkout.factories import SUCCESS_CARD
from shop.orders.models import Order, OrderStatus
from shop.storefront.tests.conftest import PASSWORD, use_theme
from shop.storefront.tests.test_browser_checkout import (
    choose_standard_shipping,
    fill_address,
    pay,
    submit,
)
from shop.testing.browser import DESKTOP, PHONE, in_browser, inspect_page, visit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THEMES = ["default", "boutique"]


def follow(page, name):
    with page.expect_navigation():
        page.get_by_role("link", name=name).first.click()


def shop_to_cart(page, base, check):
    """Home, the Shirts category (and a search on the way), the Oxford shirt,
    added to the cart; ends on the cart page."""
    visit(page, base + "/")
    check("home")
    follow(page, re.compile("^Shirts$"))
    check("category")
    page.set_viewport_size(PHONE)
    cards = [card.bounding_box() for card in page.locator(".product-grid > li").all()]
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Search products").fill("shirt")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    check("search")
    follow(page, "Oxford shirt")
    check("product")
    page.locator(".variant-option label").first.click()
    submit(page, "Add to cart")
    check("cart")
    return cards


def check_out(page, check, email=None):
    """From the cart to the confirmation, paying with the accepted test card."""
    follow(page, "Check out")
    check("checkout")
    if email:
        page.fill("#id_email", email)
    fill_address(page, "shipping")
    submit(page, "Continue to shipping")
    check("checkout-shipping")
    choose_standard_shipping(page)
    check("checkout-payment")
    pay(page, SUCCESS_CARD)
    check("confirmation")
    return page.locator("h1").inner_text()


def assert_quality(found, errors, tokenless_allowed=()):
    assert errors == [], "\n".join(errors)
    assert found["violations"] == [], "\n".join(found["violations"])
    assert found["widths"] == dict.fromkeys(found["widths"], PHONE["width"])
    # A first visit's catalog pages hold no token (shop.storefront.csrf): only
    # their add-to-cart form may post without one.
    assert {
        name: forms
        for name, forms in found["tokenless"].items()
        if forms and name not in tokenless_allowed
    } == {}


def walk(launch_args, live_server, theme, journey):
    """Runs ``journey(page, base, check, found)`` in the theme, in one browser;
    ``check(name)`` inspects the page it is on (inspect_page). Returns the
    journey's result, what the checks found and the browser's errors."""
    use_theme(theme)
    found = {}

    def steps(page):
        def check(name):
            inspect_page(page, theme, name, found)

        return journey(page, live_server.url, check, found)

    result, errors = in_browser(launch_args, steps, viewport=DESKTOP)
    return result, found, errors


@pytest.mark.parametrize("theme", THEMES)
def test_a_guest_goes_from_the_home_page_to_an_order(
    browser_type_launch_args, live_server, store, theme
):
    def journey(page, base, check, found):
        found["cards"] = shop_to_cart(page, base, check)
        found["count"] = page.locator(".mini-cart-count").inner_text()
        return check_out(page, check, email="grace@example.com")

    heading, found, errors = walk(browser_type_launch_args, live_server, theme, journey)

    order = Order.objects.get()
    assert heading == f"Thank you! Order {order.number} is placed."
    assert order.email == "grace@example.com"
    assert order.user is None
    assert order.status == OrderStatus.UNFULFILLED
    assert [line.product_name for line in order.lines.all()] == ["Oxford shirt"]
    assert found["count"] == "1"
    first, second = found["cards"][:2]
    assert first["y"] == second["y"] and first["x"] < second["x"]
    assert first["width"] < PHONE["width"] / 2
    assert_quality(found, errors, tokenless_allowed={"product"})
    assert list(found["widths"]) == [
        "home",
        "category",
        "search",
        "product",
        "cart",
        "checkout",
        "checkout-shipping",
        "checkout-payment",
        "confirmation",
    ]


@pytest.mark.parametrize("theme", THEMES)
def test_a_shopper_registers_buys_and_finds_the_order_in_the_account(
    browser_type_launch_args, live_server, store, theme
):
    def journey(page, base, check, found):
        visit(page, f"{base}/account/register/")
        check("register")
        page.fill("#id_email", "ada@example.com")
        page.fill("#id_password", PASSWORD)
        submit(page, "Create account")
        check("sign-in")
        page.fill("#id_email", "ada@example.com")
        page.fill("#id_password", PASSWORD)
        submit(page, "Sign in")
        check("account")
        shop_to_cart(page, base, check)
        heading = check_out(page, check)
        follow(page, "See this order in your account")
        check("account-order")
        visit(page, f"{base}/account/orders/")
        check("account-orders")
        visit(page, f"{base}/account/addresses/")
        check("account-addresses")
        submit(page, "Sign out")
        signed_out = page.locator(".account-nav").inner_text()
        return heading, signed_out

    (heading, signed_out), found, errors = walk(
        browser_type_launch_args, live_server, theme, journey
    )

    order = Order.objects.get()
    assert heading == f"Thank you! Order {order.number} is placed."
    assert order.user.email == "ada@example.com"
    assert order.email == "ada@example.com"
    assert signed_out == "Sign in"
    assert_quality(found, errors)
