"""The storefront and the Wagtail admin work under the Content-Security-Policy,
in a real browser: any violation the browser reports fails the test."""

import pytest

from cms.tests.test_templates import catalog  # noqa: F401 (fixture)
from shop.testing.browser import in_browser, visit

# serialized_rollback: the flush after the test then leaves the data other tests
# need (the page tree root, the default site).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-passphrase-42"


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
    # django-csp joins its directives in no fixed order.
    directives = [d.strip() for d in headers["content-security-policy"].split(";")]
    assert "script-src 'self'" in directives
    assert "camera=()" in headers["permissions-policy"]
