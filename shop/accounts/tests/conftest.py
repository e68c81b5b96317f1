import pytest
from rest_framework.test import APIClient

from shop.accounts.factories import UserFactory
from shop.plugins.base import BasePlugin
from shop.plugins.manager import invalidate_plugins_manager
from shop.plugins.services import save_plugin_configuration

PASSWORD = "secret-pass-123"
RECEIVED: list[tuple[str, dict]] = []


class RecordsAccountEvents(BasePlugin):
    PLUGIN_ID = "tests.account-events"
    PLUGIN_NAME = "Records account events"
    DEFAULT_ACTIVE = True

    def customer_created(self, payload):
        RECEIVED.append(("customer_created", payload))

    def account_password_reset_requested(self, payload):
        RECEIVED.append(("account_password_reset_requested", payload))

    def account_registration_attempted(self, payload):
        RECEIVED.append(("account_registration_attempted", payload))


@pytest.fixture
def events(settings):
    """The account events the plugins received; the email plugin is active."""
    settings.PLUGINS = [
        f"{__name__}.RecordsAccountEvents",
        "shop.plugins.builtin.email.EmailNotificationsPlugin",
    ]
    invalidate_plugins_manager()
    save_plugin_configuration("email-notifications", active=True, changes={})
    invalidate_plugins_manager()
    RECEIVED.clear()
    yield RECEIVED
    invalidate_plugins_manager()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def shopper():
    return UserFactory(email="ada@example.com", first_name="Ada", last_name="Byron")


@pytest.fixture
def signed_in(shopper):
    client = APIClient()
    client.force_authenticate(shopper)
    return client
