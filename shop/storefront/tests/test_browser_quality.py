"""The merchandising pages (blocks, galleries, landing pages) and the 404 page in
each theme, in a real browser: no serious or critical axe-core violations,
nothing wider than a 390 px phone, two product cards per row on a phone, a
working skip link. Screenshots per theme go to var/screenshots/<theme>/
(git-ignored). The shopper's journeys check the other pages on their way
(test_browser_journeys)."""

import pytest

from cms.tests.test_templates import catalog  # noqa: F401 (fixture)
from shop.testing.browser import DESKTOP, PHONE, in_browser, inspect_page, visit
from themes.models import ThemeSettings

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THEMES = ["default", "boutique"]


def page_urls(catalog):  # noqa: F811 (fixture name)
    return {
        "home-blocks": catalog["home"].url,
        "category-images": catalog["shirts"].url,
        "product-gallery": catalog["oxford"].url,
        "landing": catalog["landing"].url,
    }


def card_boxes(page):
    return [
        card.bounding_box() for card in page.locator(".product-grid > li").all()[:2]
    ]


@pytest.mark.parametrize("theme", THEMES)
def test_pages_are_accessible_and_fit_a_phone(
    browser_type_launch_args,
    live_server,
    catalog,  # noqa: F811
    theme,
):
    ThemeSettings.objects.create(site=catalog["home"].get_site(), theme=theme)
    urls = {name: live_server.url + url for name, url in page_urls(catalog).items()}

    def steps(page):
        found = {}
        for name, url in urls.items():
            visit(page, url)
            inspect_page(page, theme, name, found)
        found["missing"] = page.goto(live_server.url + "/no-such-page/").status
        inspect_page(page, theme, "404", found)
        page.set_viewport_size(PHONE)
        visit(page, urls["category-images"])
        found["cards"] = card_boxes(page)
        page.set_viewport_size(DESKTOP)
        page.goto(urls["home-blocks"])
        page.keyboard.press("Tab")
        found["first_stop"] = page.evaluate("document.activeElement.textContent")
        found["outline"] = page.evaluate(
            "getComputedStyle(document.activeElement).outlineStyle"
        )
        page.keyboard.press("Enter")
        found["after_skip"] = page.evaluate("document.activeElement.id")
        return found

    found, errors = in_browser(browser_type_launch_args, steps, viewport=DESKTOP)

    assert errors == [], "\n".join(errors)
    assert found["violations"] == [], "\n".join(found["violations"])
    assert found["missing"] == 404
    assert found["widths"] == dict.fromkeys([*urls, "404"], PHONE["width"])
    first, second = found["cards"]
    assert first["y"] == second["y"] and first["x"] < second["x"]
    assert first["width"] < PHONE["width"] / 2 and second["width"] < PHONE["width"] / 2
    assert found["first_stop"] == "Skip to content"
    assert found["outline"] == "solid"
    assert found["after_skip"] == "main"
