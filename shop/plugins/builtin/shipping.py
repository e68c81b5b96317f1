"""Shipping rates by weight band, per country, free over an order value.

The ``methods`` field holds a JSON list, one object per method::

    [
      {
        "id": "standard",                 # letters, digits, - and _
        "name": "Standard (2-4 days)",
        "countries": ["DE", "FR"],        # or "*" for every country
        "bands": [                        # ascending; first band that fits wins
          {"max_kg": "2", "price": "4.90"},
          {"max_kg": "10", "price": "9.90"},
          {"max_kg": null, "price": "19.90"}  # null: any weight (last band only)
        ],
        "free_over": "50.00"              # optional: free from this subtotal on
      }
    ]

Amounts are in the checkout's currency. A method is offered when the checkout's
shipping country is listed (with no shipping address yet, only "*" methods are)
and a band holds the checkout's weight. ``free_over`` compares the checkout's
subtotal before taxes and shipping. Method ids seen by the shop are prefixed
with this plugin's id: ``shipping-rates:standard``.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from shop.plugins.base import BasePlugin, ConfigField, FieldType
from shop.plugins.types import CheckoutInfo, Money, ShippingMethod

METHOD_ID = re.compile(r"^[A-Za-z0-9_-]+$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
EVERY_COUNTRY = "*"


@dataclass(frozen=True)
class Band:
    max_kg: Decimal | None
    price: Decimal


@dataclass(frozen=True)
class Rate:
    id: str
    name: str
    countries: frozenset[str] | None  # None: every country
    bands: tuple[Band, ...]
    free_over: Decimal | None

    def ships_to(self, country: str | None) -> bool:
        return self.countries is None or country in self.countries

    def price_for(self, checkout: CheckoutInfo) -> Decimal | None:
        weight = checkout.weight_kg
        band = next(
            (b for b in self.bands if b.max_kg is None or weight <= b.max_kg), None
        )
        if band is None:
            return None
        if self.free_over is not None and checkout.subtotal.amount >= self.free_over:
            return Decimal(0)
        return band.price


def _amount(value, where: str, *, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where}: {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0):
        sign = "above zero" if positive else "zero or more"
        raise ValueError(f"{where}: {value!r} must be {sign}")
    return amount


def _countries(value, where: str) -> frozenset[str] | None:
    if value == EVERY_COUNTRY:
        return None
    if not isinstance(value, list) or not value:
        raise ValueError(f'{where}: give a list of country codes or "*"')
    for code in value:
        if not isinstance(code, str) or not COUNTRY.match(code):
            raise ValueError(f"{where}: {code!r} is not a two-letter country code")
    return frozenset(value)


def _bands(value, where: str) -> tuple[Band, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: give at least one band")
    bands = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(item, dict) or set(item) != {"max_kg", "price"}:
            raise ValueError(f"{at}: expected {{max_kg, price}}")
        max_kg = item["max_kg"]
        if max_kg is not None:
            max_kg = _amount(max_kg, f"{at}.max_kg", positive=True)
        if bands and (
            bands[-1].max_kg is None
            or (max_kg is not None and max_kg <= bands[-1].max_kg)
        ):
            raise ValueError(f"{at}: bands must go up in max_kg, null last")
        bands.append(Band(max_kg, _amount(item["price"], f"{at}.price")))
    return tuple(bands)


def parse_methods(text: str) -> tuple[Rate, ...]:
    """The ``methods`` JSON to rates; raises ValueError saying where it is wrong."""
    if not text.strip():
        return ()
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of methods")
    rates, seen = [], set()
    for index, item in enumerate(data):
        where = f"method {index + 1}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected an object")
        unknown = set(item) - {"id", "name", "countries", "bands", "free_over"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        method_id = item.get("id")
        if not isinstance(method_id, str) or not METHOD_ID.match(method_id):
            raise ValueError(f"{where}: id must be letters, digits, - or _")
        where = f"method {method_id!r}"
        if method_id in seen:
            raise ValueError(f"{where}: id is used twice")
        seen.add(method_id)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}: name is required")
        free_over = item.get("free_over")
        rates.append(
            Rate(
                id=method_id,
                name=name.strip(),
                countries=_countries(item.get("countries"), f"{where}: countries"),
                bands=_bands(item.get("bands"), f"{where}: bands"),
                free_over=None
                if free_over is None
                else _amount(free_over, f"{where}: free_over"),
            )
        )
    return tuple(rates)


class ShippingRatesPlugin(BasePlugin):
    PLUGIN_ID = "shipping-rates"
    PLUGIN_NAME = "Shipping rates"
    PLUGIN_DESCRIPTION = (
        "Shipping methods priced by weight band per country, free over an amount."
    )
    CONFIG_FIELDS = (
        ConfigField(
            "methods",
            FieldType.MULTILINE,
            default="[]",
            label="Methods (JSON)",
            help_text=(
                'A JSON list of {"id", "name", "countries": ["DE"] or "*", '
                '"bands": [{"max_kg", "price"}], "free_over"}.'
            ),
        ),
    )

    @classmethod
    def clean_configuration(cls, configuration):
        cleaned = super().clean_configuration(configuration)
        try:
            parse_methods(cleaned["methods"])
        except ValueError as error:
            raise ValidationError({"methods": f"Invalid methods: {error}."}) from None
        return cleaned

    def __init__(self, *, active, configuration):
        super().__init__(active=active, configuration=configuration)
        self.rates = {rate.id: rate for rate in parse_methods(configuration["methods"])}

    def method_id(self, rate: Rate) -> str:
        return f"{self.PLUGIN_ID}:{rate.id}"

    def offers(self, checkout: CheckoutInfo) -> list[tuple[Rate, Decimal]]:
        address = checkout.shipping_address
        country = address.country.upper() if address else None
        offered = []
        for rate in self.rates.values():
            if rate.ships_to(country):
                price = rate.price_for(checkout)
                if price is not None:
                    offered.append((rate, price))
        return offered

    def get_shipping_methods(self, checkout, previous_value):
        return [
            *previous_value,
            *(
                ShippingMethod(
                    id=self.method_id(rate),
                    name=rate.name,
                    price=Money(price, checkout.currency),
                    plugin_id=self.PLUGIN_ID,
                )
                for rate, price in self.offers(checkout)
            ),
        ]

    def get_shipping_price(self, checkout, shipping_method_id, previous_value):
        prefix, _, rate_id = shipping_method_id.partition(":")
        if prefix != self.PLUGIN_ID:
            return NotImplemented
        price = next(
            (price for rate, price in self.offers(checkout) if rate.id == rate_id),
            None,
        )
        return None if price is None else Money(price, checkout.currency)
