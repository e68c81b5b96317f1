"""Telemetry for the recommender in Chromium: a first-time visitor's product
views reach the recommender through the page's deferred beacon, and the home
page's "for you" block follows them."""

import pytest

from recommend.models import Interaction
from recommend.tests.conftest import catalog, recommend_settings  # noqa: F401
from recommend.tests.test_block import bestsellers, with_block  # noqa: F401
from shop.testing.browser import in_browser, visit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THEMES = ["default"]


@pytest.fixture(params=THEMES)
def theme(request, settings, default_theme):
    settings.DEFAULT_THEME = request.param
    return request.param


def for_you(page):
    return page.locator(".recommendations .product-card h3").all_inner_texts()


def test_product_views_change_the_for_you_block(
    browser_type_launch_args,
    live_server,
    bestsellers,  # noqa: F811 (fixture)
    theme,
):
    home = with_block(source="for_you")
    products = bestsellers["products"]
    home_url = live_server.url + home.url
    viewed = [
        live_server.url + products[slug].url
        for slug in ("women-sneaker-1", "men-sneaker-1")
    ]

    def steps(page):
        visit(page, home_url)
        before = for_you(page)
        for url in viewed:
            visit(page, url)
        visit(page, home_url)
        return before, for_you(page), page.context.cookies()

    (before, after, cookies), violations = in_browser(browser_type_launch_args, steps)

    session_key = next(c["value"] for c in cookies if c["name"] == "sessionid")
    assert violations == [], "\n".join(violations)
    assert list(
        Interaction.objects.filter(kind="view")
        .order_by("pk")
        .values_list("product__slug", "session_id")
    ) == [("women-sneaker-1", session_key), ("men-sneaker-1", session_key)]
    # the popular list first; then the sneakers the shopper looked at come up
    assert before == ["Men leather boot", "Men cotton top", "Men leather boot"]
    assert after == ["Men leather boot", "Women canvas sneaker", "Men canvas sneaker"]
