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

from shop.plugins.base import ConfigField, FieldType
from shop.plugins.gateway import PaymentGatewayPlugin
from shop.plugins.types import GatewayResponse, PaymentData, TransactionKind

SUCCESS_CARD = "4242424242424242"
FAILING_CARDS = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000119": "processing_error",
}


class DummyPaymentPlugin(PaymentGatewayPlugin):
    PLUGIN_ID = "dummy-payment"
    PLUGIN_NAME = "Dummy payment gateway"
    PLUGIN_DESCRIPTION = "Sandbox card payments driven by test card numbers."
    CONFIG_FIELDS = (
        *PaymentGatewayPlugin.CONFIG_FIELDS,
        ConfigField(
            "auto_capture",
            FieldType.BOOLEAN,
            default=False,
            label="Capture on authorization",
        ),
    )
    TRANSACTION_PREFIX = "dummy_"

    def gateway_config(self):
        return {"auto_capture": self.configuration["auto_capture"]}

    def respond_with_card(
        self, payment: PaymentData, kind: TransactionKind, error: str = ""
    ) -> GatewayResponse:
        return self.respond(
            payment,
            kind,
            error=error,
            raw_response={"card_last4": payment.token[-4:], "outcome": error or "ok"},
        )

    def process(self, payment, kind):
        if kind == TransactionKind.AUTHORIZE:
            return self.authorize(payment)
        return self.follow_up(payment, kind)

    def authorize(self, payment: PaymentData) -> GatewayResponse:
        kind = (
            TransactionKind.CAPTURE
            if self.configuration["auto_capture"]
            else TransactionKind.AUTHORIZE
        )
        if payment.amount.currency not in self.currencies:
            return self.respond_with_card(payment, kind, "unsupported_currency")
        if payment.amount.amount <= 0:
            return self.respond_with_card(payment, kind, "invalid_amount")
        if payment.token == SUCCESS_CARD:
            return self.respond_with_card(payment, kind)
        return self.respond_with_card(
            payment, kind, FAILING_CARDS.get(payment.token, "invalid_card")
        )

    def follow_up(self, payment: PaymentData, kind: TransactionKind) -> GatewayResponse:
        """Capture, refund and void: they act on an earlier transaction."""
        if not payment.transaction_id:
            return self.respond_with_card(payment, kind, "missing_transaction")
        if not payment.transaction_id.startswith(self.TRANSACTION_PREFIX):
            return self.respond_with_card(payment, kind, "unknown_transaction")
        # A void cancels the whole authorization, whatever amount it is given.
        if kind != TransactionKind.VOID and payment.amount.amount <= 0:
            return self.respond_with_card(payment, kind, "invalid_amount")
        return self.respond_with_card(payment, kind)
