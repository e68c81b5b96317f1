"""Small plugins that exercise the manager in tests."""

from django.core.exceptions import ValidationError

from shop.plugins.base import BasePlugin, ConfigField, FieldType
from shop.plugins.types import Money, ShippingMethod, untaxed

RECEIVED: list[tuple[str, str, dict]] = []


def method(plugin_id, name, amount):
    return ShippingMethod(
        id=f"{plugin_id}:{name}",
        name=name,
        price=Money(amount, "USD"),
        plugin_id=plugin_id,
    )


class AddsStandardShipping(BasePlugin):
    PLUGIN_ID = "tests.standard"
    PLUGIN_NAME = "Standard shipping"
    DEFAULT_ACTIVE = True

    def get_shipping_methods(self, checkout, previous_value):
        return [*previous_value, method(self.PLUGIN_ID, "standard", "5.00")]

    def order_created(self, payload):
        RECEIVED.append((self.PLUGIN_ID, "order_created", payload))


class DiscountsShipping(BasePlugin):
    """Halves every price it is given: proves it sees the previous answer."""

    PLUGIN_ID = "tests.halves"
    PLUGIN_NAME = "Half price shipping"
    DEFAULT_ACTIVE = True

    def get_shipping_methods(self, checkout, previous_value):
        return [
            ShippingMethod(m.id, m.name, m.price / 2, m.plugin_id)
            for m in previous_value
        ]


class AddsToTotal(BasePlugin):
    """Adds 1.00 to the checkout total it is given."""

    PLUGIN_ID = "tests.adds-to-total"
    PLUGIN_NAME = "Adds to total"
    DEFAULT_ACTIVE = True

    def calculate_checkout_total(
        self, checkout, line_totals, shipping_total, previous_value
    ):
        return previous_value + untaxed(Money("1.00", checkout.currency))


class Declines(BasePlugin):
    PLUGIN_ID = "tests.declines"
    PLUGIN_NAME = "Declines"
    DEFAULT_ACTIVE = True

    def get_shipping_methods(self, checkout, previous_value):
        return NotImplemented


class Broken(BasePlugin):
    PLUGIN_ID = "tests.broken"
    PLUGIN_NAME = "Broken"
    DEFAULT_ACTIVE = True

    def get_shipping_price(self, checkout, shipping_method_id, previous_value):
        raise RuntimeError("rate table unreachable")

    def order_created(self, payload):
        raise RuntimeError("boom")


class Configurable(BasePlugin):
    PLUGIN_ID = "tests.configurable"
    PLUGIN_NAME = "Configurable"
    CONFIG_FIELDS = (
        ConfigField(
            "endpoint", FieldType.STRING, default="https://x.test", required=True
        ),
        ConfigField("notes", FieldType.MULTILINE, default=""),
        ConfigField("sandbox", FieldType.BOOLEAN, default=True),
        ConfigField("api_key", FieldType.SECRET, default=""),
        ConfigField("password", FieldType.PASSWORD, default=""),
        ConfigField("status", FieldType.OUTPUT, default="ready"),
    )

    @classmethod
    def clean_configuration(cls, configuration):
        cleaned = super().clean_configuration(configuration)
        if not cleaned["endpoint"].startswith("https://"):
            raise ValidationError({"endpoint": "Use https."})
        return cleaned
