"""Manual payment (bank transfer, cash on delivery): staff confirm the money.

An authorization succeeds at once but stays pending: the order waits until
staff mark it paid, which is a capture. Voids and refunds succeed at once; the
payment service records them like any other transaction, and the money itself
moves outside the shop. The ``instructions`` (bank details, what to write on
the transfer) are public: they reach shoppers through the gateway's config.
"""

import uuid

from shop.plugins.base import BasePlugin, ConfigField, FieldType
from shop.plugins.builtin.currencies import (
    CURRENCIES_FIELD,
    clean_currencies,
    parse_currencies,
)
from shop.plugins.types import GatewayResponse, PaymentGateway, TransactionKind


class ManualPaymentPlugin(BasePlugin):
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
        CURRENCIES_FIELD,
    )

    @classmethod
    def clean_configuration(cls, configuration):
        return clean_currencies(super().clean_configuration(configuration))

    def get_payment_gateways(self, checkout, previous_value):
        currencies = parse_currencies(self.configuration["currencies"])
        if checkout is not None and checkout.currency not in currencies:
            return previous_value
        gateway = PaymentGateway(
            id=self.PLUGIN_ID,
            name=self.configuration["display_name"],
            currencies=currencies,
            config={"instructions": self.configuration["instructions"]},
        )
        return [*previous_value, gateway]

    def respond(self, payment, kind: TransactionKind, *, is_pending=False):
        if payment.gateway != self.PLUGIN_ID:
            return NotImplemented
        return GatewayResponse(
            kind=kind,
            is_success=True,
            amount=payment.amount,
            transaction_id=f"manual_{uuid.uuid4().hex}",
            is_pending=is_pending,
        )

    def authorize_payment(self, payment, previous_value):
        return self.respond(payment, TransactionKind.AUTHORIZE, is_pending=True)

    def capture_payment(self, payment, previous_value):
        return self.respond(payment, TransactionKind.CAPTURE)

    def refund_payment(self, payment, previous_value):
        return self.respond(payment, TransactionKind.REFUND)

    def void_payment(self, payment, previous_value):
        return self.respond(payment, TransactionKind.VOID)
