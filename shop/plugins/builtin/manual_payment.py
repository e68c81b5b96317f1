"""Manual payment (bank transfer, cash on delivery): staff confirm the money.

An authorization succeeds at once but stays pending: the order waits until
staff mark it paid, which is a capture. Voids and refunds succeed at once; the
payment service records them like any other transaction, and the money itself
moves outside the shop. The ``instructions`` (bank details, what to write on
the transfer) are public: they reach shoppers through the gateway's config.
"""

from shop.plugins.base import ConfigField, FieldType
from shop.plugins.gateway import PaymentGatewayPlugin
from shop.plugins.types import TransactionKind


class ManualPaymentPlugin(PaymentGatewayPlugin):
    PLUGIN_ID = "manual-payment"
    PLUGIN_NAME = "Manual payment"
    PLUGIN_DESCRIPTION = (
        "Bank transfer or cash on delivery: orders wait until staff mark them paid."
    )
    CONFIG_FIELDS = (
        ConfigField(
            "display_name",
            FieldType.STRING,
            default="Bank transfer",
            label="Name shown to shoppers",
            required=True,
        ),
        ConfigField(
            "instructions",
            FieldType.MULTILINE,
            default="",
            label="Instructions",
            help_text="Shown to shoppers: bank details, payment reference, ...",
        ),
        *PaymentGatewayPlugin.CONFIG_FIELDS,
    )
    TRANSACTION_PREFIX = "manual_"

    def gateway_name(self):
        return self.configuration["display_name"]

    def gateway_config(self):
        return {"instructions": self.configuration["instructions"]}

    def process(self, payment, kind):
        return self.respond(payment, kind, is_pending=kind == TransactionKind.AUTHORIZE)
