"""Every storefront page in each theme, in a real browser: no serious or critical
axe-core violations, nothing wider than a 390 px phone, two product cards per row
on a phone, a working skip link. Screenshots of each page per theme go to
var/screenshots/<theme>/ (git-ignored) for people to look at."""

import pytest

from cms.tests.test_templates import catalog  # noqa: F401 (fixture)
from shop.testing.browser import (
    DESKTOP,
    PHONE,
    accessibility_violations,
    in_browser,
    save_screenshot,
    scroll_width,
    visit,
)
from themes.models import ThemeSettings

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THEMES = ["default", "boutique"]


def page_urls(catalog):  # noqa: F811 (fixture name)
    return {
        "home": catalog["home"].url,
        "category": catalog["shirts"].url,
        "product": catalog["oxford"].url,
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
        found = {"violations": [], "widths": {}}
        for name, url in urls.items():
            page.set_viewport_size(DESKTOP)
            visit(page, url)
            found["violations"] += accessibility_violations(page)
            save_screenshot(page, theme, name)
            page.set_viewport_size(PHONE)
            found["widths"][name] = scroll_width(page)
            save_screenshot(page, theme, f"{name}-phone")
            if name == "category":
                found["cards"] = card_boxes(page)
        page.goto(urls["home"])
        page.keyboard.press("Tab")
        found["first_stop"] = page.evaluate("document.activeElement.textContent")
        found["outline"] = page.evaluate(
            "getComputedStyle(document.activeElement).outlineStyle"
        )
        page.keyboard.press("Enter")
        found["after_skip"] = page.evaluate("document.activeElement.id")
        return found

    found, errors = in_browser(browser_type_launch_args, steps)

    assert errors == [], "\n".join(errors)
    assert found["violations"] == [], "\n".join(found["violations"])
    assert found["widths"] == dict.fromkeys(urls, PHONE["width"])
    first, second = found["cards"]
    assert first["y"] == second["y"] and first["x"] < second["x"]
    assert first["width"] < PHONE["width"] / 2 and second["width"] < PHONE["width"] / 2
    assert found["first_stop"] == "Skip to content"
    assert found["outline"] == "solid"
    assert found["after_skip"] == "main"
