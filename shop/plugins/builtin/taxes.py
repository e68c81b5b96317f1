"""Flat-rate taxes: one percentage per country.

Configuration:

- ``rates``: one ``COUNTRY=PERCENT`` per line (``DE=19``, ``CH=8.1``); blank
  lines and lines starting with ``#`` are ignored;
- ``default_rate``: the percentage for countries not listed;
- ``default_country``: the country taxed when the checkout has no address yet;
- ``prices_include_tax``: catalog prices are gross (tax included) or net;
- ``tax_shipping``: whether shipping is taxed at the country's rate.

The country is the shipping address's, else the billing address's, else the
default country. Every line is rounded on its own (half up, to the currency's
precision) and the checkout total is the sum of the rounded lines and shipping,
so the total always matches the lines a shopper sees.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from shop.plugins.base import BasePlugin, ConfigField, FieldType
from shop.plugins.types import CheckoutInfo, LineInfo, Money, TaxedMoney, untaxed

COUNTRY = re.compile(r"^[A-Z]{2}$")
HUNDRED = Decimal(100)


def parse_rate(text: str) -> Decimal:
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not rate.is_finite() or not 0 <= rate <= HUNDRED:
        raise ValueError(f"{text.strip()!r} is not a percentage between 0 and 100")
    return rate


def parse_rates(text: str) -> dict[str, Decimal]:
    """``DE=19`` lines to ``{"DE": Decimal("19")}``; raises ValueError naming the
    first bad line (1-based)."""
    rates = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        country, sep, rate = line.partition("=")
        country = country.strip().upper()
        try:
            if not sep:
                raise ValueError("expected COUNTRY=PERCENT")
            if not COUNTRY.match(country):
                raise ValueError(f"{country!r} is not a two-letter country code")
            if country in rates:
                raise ValueError(f"{country} is listed twice")
            rates[country] = parse_rate(rate)
        except ValueError as error:
            raise ValueError(f"line {number} ({line!r}): {error}") from None
    return rates


class FlatRateTaxesPlugin(BasePlugin):
    PLUGIN_ID = "flat-rate-taxes"
    PLUGIN_NAME = "Flat-rate taxes"
    PLUGIN_DESCRIPTION = "One tax percentage per country, for lines and shipping."
    CONFIG_FIELDS = (
        ConfigField(
            "rates",
            FieldType.MULTILINE,
            default="",
            label="Rates per country",
            help_text="One COUNTRY=PERCENT per line, e.g. DE=19. # starts a comment.",
        ),
        ConfigField(
            "default_rate",
            FieldType.STRING,
            default="0",
            label="Default rate",
            help_text="Percentage for countries not listed.",
            required=True,
        ),
        ConfigField(
            "default_country",
            FieldType.STRING,
            default="",
            label="Default country",
            help_text="Two-letter code taxed while a checkout has no address.",
        ),
        ConfigField(
            "prices_include_tax",
            FieldType.BOOLEAN,
            default=False,
            label="Prices include tax",
            help_text="Catalog prices are gross; net is derived from them.",
        ),
        ConfigField(
            "tax_shipping",
            FieldType.BOOLEAN,
            default=True,
            label="Tax shipping",
        ),
    )

    @classmethod
    def clean_configuration(cls, configuration):
        cleaned = super().clean_configuration(configuration)
        errors = {}
        try:
            parse_rates(cleaned["rates"])
        except ValueError as error:
            errors["rates"] = f"Bad rate on {error}."
        try:
            cleaned["default_rate"] = str(parse_rate(cleaned["default_rate"]))
        except ValueError as error:
            errors["default_rate"] = f"Invalid rate: {error}."
        country = cleaned["default_country"].strip().upper()
        if country and not COUNTRY.match(country):
            errors["default_country"] = "Use a two-letter country code, e.g. US."
        cleaned["default_country"] = country
        if errors:
            raise ValidationError(errors)
        return cleaned

    def __init__(self, *, active, configuration):
        super().__init__(active=active, configuration=configuration)
        self.rates = parse_rates(self.configuration["rates"])
        self.default_rate = parse_rate(self.configuration["default_rate"])

    def country(self, checkout: CheckoutInfo) -> str:
        address = checkout.shipping_address or checkout.billing_address
        if address:
            return address.country.upper()
        return self.configuration["default_country"]

    def rate(self, checkout: CheckoutInfo) -> Decimal:
        return self.rates.get(self.country(checkout), self.default_rate)

    def apply(self, amount: TaxedMoney, rate: Decimal) -> TaxedMoney:
        """Taxes the side the shop's prices are entered on, rounded half up."""
        factor = 1 + rate / HUNDRED
        if self.configuration["prices_include_tax"]:
            gross = amount.gross.quantize()
            return TaxedMoney(net=(gross / factor).quantize(), gross=gross)
        net = amount.net.quantize()
        return TaxedMoney(net=net, gross=(net * factor).quantize())

    def calculate_line_total(
        self, checkout: CheckoutInfo, line: LineInfo, previous_value: TaxedMoney
    ) -> TaxedMoney:
        return self.apply(previous_value, self.rate(checkout))

    def calculate_shipping_total(
        self, checkout: CheckoutInfo, shipping_price: Money, previous_value: TaxedMoney
    ) -> TaxedMoney:
        taxed = self.configuration["tax_shipping"]
        return self.apply(previous_value, self.rate(checkout) if taxed else Decimal(0))

    def calculate_checkout_total(
        self, checkout, line_totals, shipping_total, previous_value
    ) -> TaxedMoney:
        """The sum of the rounded line totals and the shipping total it is
        given, so the total is exactly what the shopper sees line by line,
        whatever a plugin before this one answered: a discount on the total
        belongs after this plugin in ``settings.PLUGINS``."""
        return sum(line_totals, untaxed(Money(0, checkout.currency))) + shipping_total
