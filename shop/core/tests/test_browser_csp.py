"""The storefront and the Wagtail admin work under the Content-Security-Policy,
in a real browser: any violation the browser reports fails the test."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import sync_playwright

from cms.tests.test_templates import catalog  # noqa: F401 (fixture)

# serialized_rollback: the flush after the test then leaves the data other tests
# need (the page tree root, the default site).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-passphrase-42"


def in_browser(launch_args, steps):
    """Runs ``steps(page)`` in chromium; returns its result and every policy
    violation or script error the browser reported.

    The browser runs in a thread of its own: Playwright's sync API runs the
    caller in a greenlet with its own context variables, where Django's test
    database connection (and pytest-playwright's `page` with it) is not the one
    the test set up.
    """

    def run():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_args)
            page = browser.new_page()
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


def test_storefront_and_admin_work_under_the_policy(
    browser_type_launch_args,
    live_server,
    catalog,  # noqa: F811 (fixture)
    django_user_model,
):
    django_user_model.objects.create_superuser(
        email="staff@example.com", password=PASSWORD
    )
    base = live_server.url
    # Only the browser runs in its thread: the URLs are read here.
    home_url, product_url = catalog["home"].url, catalog["oxford"].url
    editor_url = f"{base}/admin/pages/{catalog['oxford'].pk}/edit/"

    def steps(page):
        home = visit(page, base + home_url)
        visit(page, base + product_url)
        visit(page, f"{base}/admin/login/")
        page.fill("input[name=username]", "staff@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        visit(page, editor_url)
        return home.all_headers(), page.locator("#id_title").input_value()

    (headers, title), violations = in_browser(browser_type_launch_args, steps)

    assert violations == [], "\n".join(violations)
    assert title == "Oxford shirt"
    assert "script-src 'self';" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
