"""The base class of payment gateway plugins.

A gateway is offered for the currencies it is configured for (empty: the shop's
default currency, read at call time so a deployment can change it) and answers
the four payment hooks (authorize, capture, refund, void) for its own payments
only: for another gateway's payment it declines, and the payment reaches the
plugin that is that gateway. A subclass writes one method, ``process``, and
builds its answers with ``respond``.
"""

import re
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError

from shop.plugins.base import BasePlugin, ConfigField, FieldType
from shop.plugins.types import (
    GatewayResponse,
    PaymentData,
    PaymentGateway,
    TransactionKind,
)

CURRENCY = re.compile(r"^[A-Z]{3}$")

CURRENCIES_FIELD = ConfigField(
    "currencies",
    FieldType.STRING,
    default="",
    label="Currencies",
    help_text="ISO codes separated by commas, e.g. USD,EUR. Empty: the shop's "
    "default currency.",
)


def currency_codes(text: str) -> list[str]:
    """``"usd, EUR"`` to ``["USD", "EUR"]``."""
    return [code.strip().upper() for code in text.split(",") if code.strip()]


class PaymentGatewayPlugin(BasePlugin):
    CONFIG_FIELDS = (CURRENCIES_FIELD,)
    # Starts every transaction id the gateway hands out, e.g. "dummy_".
    TRANSACTION_PREFIX: ClassVar[str]

    @classmethod
    def clean_configuration(cls, configuration):
        cleaned = super().clean_configuration(configuration)
        codes = currency_codes(cleaned["currencies"])
        bad = [code for code in codes if not CURRENCY.match(code)]
        if bad:
            raise ValidationError(
                {"currencies": f"Not three-letter currency codes: {', '.join(bad)}."}
            )
        return {**cleaned, "currencies": ",".join(codes)}

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(currency_codes(self.configuration["currencies"])) or (
            settings.DEFAULT_CURRENCY,
        )

    def gateway_name(self) -> str:
        """The name shoppers see."""
        return self.PLUGIN_NAME

    def gateway_config(self) -> dict[str, Any]:
        """Public settings for the client (never a secret)."""
        return {}

    def process(self, payment: PaymentData, kind: TransactionKind) -> GatewayResponse:
        """Asks the provider to do ``kind`` for one of this gateway's payments."""
        raise NotImplementedError

    def respond(
        self,
        payment: PaymentData,
        kind: TransactionKind,
        *,
        error: str = "",
        is_pending: bool = False,
        raw_response: dict | None = None,
    ) -> GatewayResponse:
        """An answer for the payment's amount: a new transaction id on success,
        none on error."""
        return GatewayResponse(
            kind=kind,
            is_success=not error,
            amount=payment.amount,
            transaction_id=""
            if error
            else f"{self.TRANSACTION_PREFIX}{uuid.uuid4().hex}",
            error=error,
            is_pending=is_pending,
            raw_response=raw_response or {},
        )

    def _process_own(self, payment: PaymentData, kind: TransactionKind):
        if payment.gateway != self.PLUGIN_ID:
            return NotImplemented
        return self.process(payment, kind)

    def get_payment_gateways(self, checkout, previous_value):
        if checkout is not None and checkout.currency not in self.currencies:
            return previous_value
        gateway = PaymentGateway(
            id=self.PLUGIN_ID,
            name=self.gateway_name(),
            currencies=self.currencies,
            config=self.gateway_config(),
        )
        return [*previous_value, gateway]

    def authorize_payment(self, payment, previous_value):
        return self._process_own(payment, TransactionKind.AUTHORIZE)

    def capture_payment(self, payment, previous_value):
        return self._process_own(payment, TransactionKind.CAPTURE)

    def refund_payment(self, payment, previous_value):
        return self._process_own(payment, TransactionKind.REFUND)

    def void_payment(self, payment, previous_value):
        return self._process_own(payment, TransactionKind.VOID)
