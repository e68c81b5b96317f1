"""Fixtures every package's tests use. Tests that need neither the database nor
Redis (see shop.testing.pytest_plugin.needs_services) get none of the resets, so
that they run without the servers."""

import pytest
from django.core.cache import cache

from shop.accounts.factories import UserFactory
from shop.checkout.factories import configure_shop_plugins
from shop.plugins.manager import invalidate_plugins_manager
from shop.testing.browser import CHROMIUM_ARGS
from shop.testing.pytest_plugin import needs_services


@pytest.fixture(autouse=True)
def reset_shared_state(request):
    """Each test starts with an empty cache and leaves no plugin manager behind.

    The database rolls back between tests but Redis does not: Wagtail's cached
    site root paths from an earlier test would point at pages that are gone.
    """
    if not needs_services(request.node):
        yield
        return
    cache.clear()
    yield
    invalidate_plugins_manager()


@pytest.fixture
def page_cache_off(settings):
    """Every storefront request renders its page (query budgets measure the
    rendering): the test client's requests skip themes.pagecache."""
    settings.MIDDLEWARE = [
        name
        for name in settings.MIDDLEWARE
        if name != "themes.pagecache.PageCacheMiddleware"
    ]


@pytest.fixture
def shop_plugins(db):
    """The built-in plugins configured like a small shop."""
    return configure_shop_plugins()


@pytest.fixture
def user(db):
    return UserFactory(email="ada@example.com")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Browser tests run Debian's chromium (see shop.testing.browser).
    pytest-playwright's options (--headed, --slowmo) still apply."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }
