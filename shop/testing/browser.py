"""Drives Debian's chromium with Playwright for the browser tests.

Tests call ``in_browser(browser_type_launch_args, steps)``; the root conftest's
``browser_type_launch_args`` fixture points Playwright at /usr/bin/chromium
(.ci/ensure-services installs it), so nothing is downloaded and nothing in the
background reaches the network.
"""

from concurrent.futures import ThreadPoolExecutor

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_browser(launch_args, steps, **context_options):
    """Runs ``steps(page)`` in chromium; returns its result and every policy
    violation or script error the browser reported.

    The browser runs in a thread of its own: Playwright's sync API runs the
    caller in a greenlet with its own context variables, where Django's test
    database connection (and pytest-playwright's `page` with it) is not the one
    the test set up. ``context_options`` go to ``browser.new_context`` (a
    viewport, ``java_script_enabled=False``, ...).
    """

    def run():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_args)
            page = browser.new_context(**context_options).new_page()
            violations = []
            page.on(
                "console",
                lambda message: (
                    "Content Security Policy" in message.text
                    and violations.append(f"{page.url}: {message.text}")
                ),
            )
            page.on(
                "pageerror", lambda error: violations.append(f"{page.url}: {error}")
            )
            try:
                return steps(page), violations
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def visit(page, url):
    response = page.goto(url, wait_until="networkidle")
    assert response.status == 200, url
    return response


# What the storefront's pages must not have (axe-core's two worst impacts).
BLOCKING_IMPACTS = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def accessibility_violations(page, impacts=BLOCKING_IMPACTS):
    """axe-core's violations of those impacts on the page as it is now, as
    "rule (impact): targets" lines; an empty list when there are none."""
    results = Axe().run(page)
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in impacts
    ]


def scroll_width(page):
    """The page's width in CSS pixels, with whatever overflows the viewport."""
    return page.evaluate("document.documentElement.scrollWidth")


def save_screenshot(page, folder, name):
    """A full-page PNG at var/screenshots/<folder>/<name>.png (git-ignored)."""
    path = settings.BASE_DIR / "var" / "screenshots" / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


# The POST forms of the page that carry no CSRF field, by class name.
TOKENLESS_FORMS = """forms => forms
  .filter(form => !form.querySelector("input[name=csrfmiddlewaretoken]"))
  .map(form => form.className)"""


def inspect_page(page, theme, name, found):
    """Records what the storefront's quality checks assert about the page as it
    is: serious or critical axe findings (found["violations"]), its width at
    phone size (found["widths"][name]), its POST forms without a CSRF field
    (found["tokenless"][name]); screenshots it at desktop and phone size."""
    found.setdefault("violations", []).extend(accessibility_violations(page))
    found.setdefault("tokenless", {})[name] = page.eval_on_selector_all(
        "form[method=post]", TOKENLESS_FORMS
    )
    save_screenshot(page, theme, name)
    page.set_viewport_size(PHONE)
    found.setdefault("widths", {})[name] = scroll_width(page)
    save_screenshot(page, theme, f"{name}-phone")
    page.set_viewport_size(DESKTOP)
