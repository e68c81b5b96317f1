"""A sandbox card gateway for development and tests: nothing leaves the server.

The card number is the payment's ``token``; the outcome of an authorization
depends on it, like a provider's test cards:

==================  ===========================================
4242424242424242    success
4000000000000002    declined, error ``card_declined``
4000000000009995    declined, error ``insufficient_funds``
4000000000000119    fails, error ``processing_error``
anything else       declined, error ``invalid_card``
==================  ===========================================

Capture, refund and void answer for an earlier transaction: they need the
``transaction_id`` this gateway returned (error ``missing_transaction`` or
``unknown_transaction`` otherwise) and, but for a void, a positive amount.
Whether an amount is still capturable or refundable is for the payment service
to decide; the gateway only answers. With ``auto_capture`` on, an
authorization captures at once (the response's kind is ``capture``).
"""

import uuid

from shop.plugins.base import BasePlugin, ConfigField, FieldType
from shop.plugins.builtin.currencies import (
    CURRENCIES_FIELD,
    clean_currencies,
    parse_currencies,
)
from shop.plugins.types import (
    GatewayResponse,
    PaymentData,
    PaymentGateway,
    TransactionKind,
)

SUCCESS_CARD = "4242424242424242"
FAILING_CARDS = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000119": "processing_error",
}
TRANSACTION_PREFIX = "dummy_"


class DummyPaymentPlugin(BasePlugin):
    PLUGIN_ID = "dummy-payment"
    PLUGIN_NAME = "Dummy payment gateway"
    PLUGIN_DESCRIPTION = "Sandbox card payments driven by test card numbers."
    CONFIG_FIELDS = (
        CURRENCIES_FIELD,
        ConfigField(
            "auto_capture",
            FieldType.BOOLEAN,
            default=False,
            label="Capture on authorization",
        ),
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
            name=self.PLUGIN_NAME,
            currencies=currencies,
            config={"auto_capture": self.configuration["auto_capture"]},
        )
        return [*previous_value, gateway]

    def respond(
        self, payment: PaymentData, kind: TransactionKind, error: str = ""
    ) -> GatewayResponse:
        return GatewayResponse(
            kind=kind,
            is_success=not error,
            amount=payment.amount,
            transaction_id="" if error else f"{TRANSACTION_PREFIX}{uuid.uuid4().hex}",
            error=error,
            raw_response={"card_last4": payment.token[-4:], "outcome": error or "ok"},
        )

    def authorize_payment(self, payment, previous_value):
        if payment.gateway != self.PLUGIN_ID:
            return NotImplemented
        kind = (
            TransactionKind.CAPTURE
            if self.configuration["auto_capture"]
            else TransactionKind.AUTHORIZE
        )
        if payment.amount.currency not in parse_currencies(
            self.configuration["currencies"]
        ):
            return self.respond(payment, kind, "unsupported_currency")
        if payment.amount.amount <= 0:
            return self.respond(payment, kind, "invalid_amount")
        if payment.token == SUCCESS_CARD:
            return self.respond(payment, kind)
        return self.respond(
            payment, kind, FAILING_CARDS.get(payment.token, "invalid_card")
        )

    def follow_up(self, payment: PaymentData, kind: TransactionKind):
        """Capture, refund and void: they act on an earlier transaction."""
        if payment.gateway != self.PLUGIN_ID:
            return NotImplemented
        if not payment.transaction_id:
            return self.respond(payment, kind, "missing_transaction")
        if not payment.transaction_id.startswith(TRANSACTION_PREFIX):
            return self.respond(payment, kind, "unknown_transaction")
        # A void cancels the whole authorization, whatever amount it is given.
        if kind != TransactionKind.VOID and payment.amount.amount <= 0:
            return self.respond(payment, kind, "invalid_amount")
        return self.respond(payment, kind)

    def capture_payment(self, payment, previous_value):
        return self.follow_up(payment, TransactionKind.CAPTURE)

    def refund_payment(self, payment, previous_value):
        return self.follow_up(payment, TransactionKind.REFUND)

    def void_payment(self, payment, previous_value):
        return self.follow_up(payment, TransactionKind.VOID)
