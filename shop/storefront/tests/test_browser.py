"""A shopper's browsing and cart journeys in Chromium, against a live server on
PostgreSQL. Each test takes the theme as a parameter, so that another theme
joins by adding its name to THEMES."""

import pytest

from shop.testing.browser import in_browser, visit

# serialized_rollback: the flush after the test then leaves the data other tests
# need (the page tree root, the default site).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THEMES = ["default"]


@pytest.fixture(params=THEMES)
def theme(request, settings, default_theme):
    settings.DEFAULT_THEME = request.param
    return request.param


def card_titles(page):
    return page.locator(".listing-results .product-card h3").all_inner_texts()


def test_filters_sort_and_search(browser_type_launch_args, live_server, shop, theme):
    category_url = live_server.url + shop["shirts"].url

    def steps(page):
        visit(page, category_url)
        first = card_titles(page)
        page.get_by_label("blue (2)").check()
        page.get_by_role("button", name="Show products").click()
        page.wait_for_load_state("networkidle")
        blue = card_titles(page)
        count = page.locator("#results-count").inner_text()
        # the sort applies on change (progressive enhancement)
        with page.expect_navigation():
            page.get_by_label("Sort by").select_option("-price")
        by_price = card_titles(page)
        shared_url = page.url
        page.get_by_label("Search products").fill("linen")
        page.get_by_label("Search products").press("Enter")
        page.wait_for_load_state("networkidle")
        return first, blue, count, by_price, shared_url, card_titles(page)

    (first, blue, count, by_price, shared_url, found), violations = in_browser(
        browser_type_launch_args, steps
    )

    assert violations == [], "\n".join(violations)
    assert first == ["Oxford shirt", "Denim shirt", "Linen shirt", "Flannel shirt"]
    assert blue == ["Oxford shirt", "Denim shirt"]
    assert count == "2 products"
    assert by_price == ["Denim shirt", "Oxford shirt"]
    assert shared_url.endswith("?ordering=-price&color=blue") or (
        "color=blue" in shared_url and "ordering=-price" in shared_url
    )
    assert found == ["Linen shirt"]


def test_pick_add_change_and_remove(browser_type_launch_args, live_server, shop, theme):
    product_url = live_server.url + shop["products"]["Oxford shirt"].url

    def steps(page):
        visit(page, product_url)
        sold_out = page.get_by_label("Size M, Blue").is_disabled()
        page.get_by_label("Size M, White").check()
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_url("**/cart/")
        added = (
            page.locator(".messages").inner_text(),
            page.locator("[data-cart-count]").inner_text(),
            page.locator(".cart-subtotal").inner_text(),
        )
        page.get_by_label("Quantity of Oxford shirt").fill("1")
        page.get_by_role("button", name="Update").click()
        page.wait_for_load_state("networkidle")
        changed = page.locator("[data-cart-count]").inner_text()
        page.get_by_role("button", name="Remove Oxford shirt from your cart").click()
        page.wait_for_load_state("networkidle")
        return sold_out, added, changed, page.locator("main").inner_text()

    (sold_out, added, changed, emptied), violations = in_browser(
        browser_type_launch_args, steps
    )

    assert violations == [], "\n".join(violations)
    assert sold_out is True
    assert added == (
        "Added 2 × Oxford shirt (M / white) to your cart.",
        "2",
        "80.00 USD",
    )
    assert changed == "1"
    assert "Your cart is empty." in emptied


def test_an_out_of_stock_refusal_is_shown(
    browser_type_launch_args, live_server, shop, theme
):
    product_url = live_server.url + shop["products"]["Oxford shirt"].url

    def steps(page):
        visit(page, product_url)
        page.get_by_label("Size M, White").check()
        page.get_by_label("Quantity").fill("3")
        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_load_state("networkidle")
        return (
            page.get_by_role("alert").inner_text(),
            page.get_by_label("Size M, White").is_checked(),
            page.locator("[data-cart-count]").inner_text(),
        )

    (message, still_chosen, count), violations = in_browser(
        browser_type_launch_args, steps
    )

    assert violations == [], "\n".join(violations)
    assert message == "Sorry, only 2 left in this size and colour."
    assert still_chosen is True
    assert count == "0"


def test_add_to_cart_with_javascript_off(
    browser_type_launch_args, live_server, shop, theme
):
    product_url = live_server.url + shop["products"]["Denim shirt"].url

    def steps(page):
        visit(page, product_url)
        page.get_by_label("Size XL, Blue").check()
        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_url("**/cart/")
        return (
            page.locator(".cart-variant").all_inner_texts(),
            page.locator("[data-cart-count]").inner_text(),
        )

    (variants, count), _ = in_browser(
        browser_type_launch_args, steps, java_script_enabled=False
    )

    assert variants == ["Size XL, Blue (DENIM-XL-BLUE)"]
    assert count == "1"
