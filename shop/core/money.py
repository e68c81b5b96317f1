"""Money: one column size, one model field, one JSON shape.

Amounts are Decimals with two places in columns of MAX_DIGITS digits, next to
an ISO 4217 currency code. The API shows every amount as
{"amount": "12.30", "currency": "USD"} (the amount a decimal string, never a
float) and every net/gross pair as {"net": Money, "gross": Money}.
"""

from decimal import Decimal

from django.db import models
from drf_spectacular.utils import extend_schema_field
from prices import Money, TaxedMoney
from rest_framework import serializers
from rest_framework.fields import get_attribute

MAX_DIGITS = 12
DECIMAL_PLACES = 2
# For any DecimalField holding an amount: model, form, filter or serializer.
AMOUNT = {"max_digits": MAX_DIGITS, "decimal_places": DECIMAL_PLACES}
CENT = Decimal(1).scaleb(-DECIMAL_PLACES)


def money_field(*args, **kwargs) -> models.DecimalField:
    """A model column for an amount (its currency lives in another column)."""
    return models.DecimalField(*args, **AMOUNT, **kwargs)


def amount_string(amount) -> str:
    return str(Decimal(amount).quantize(CENT))


def money_json(money: Money) -> dict:
    return {"amount": amount_string(money.amount), "currency": money.currency}


class MoneySerializer(serializers.Serializer):
    """An amount in a currency (the schema of every amount)."""

    amount = serializers.DecimalField(
        **AMOUNT, help_text="A decimal string with two places, e.g. `12.30`."
    )
    currency = serializers.CharField(help_text="ISO 4217, e.g. `USD`.")


class TaxedMoneySerializer(serializers.Serializer):
    """An amount before (`net`) and after (`gross`) taxes."""

    net = MoneySerializer()
    gross = MoneySerializer()


def _read(instance, dotted: str):
    return get_attribute(instance, dotted.split("."))


@extend_schema_field(MoneySerializer)
class MoneyField(serializers.Field):
    """A read-only amount as {"amount", "currency"}.

    The attribute is a prices.Money, or, with `currency_source`, a Decimal
    whose currency is that attribute (dotted) of the same object.
    """

    def __init__(self, *, currency_source: str | None = None, **kwargs):
        self.currency_source = currency_source
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        if value is None or self.currency_source is None:
            return value
        return Money(value, _read(instance, self.currency_source))

    def to_representation(self, value):
        return money_json(value)


@extend_schema_field(TaxedMoneySerializer)
class TaxedMoneyField(serializers.Field):
    """A read-only net/gross pair as {"net": Money, "gross": Money}.

    The attribute is a prices.TaxedMoney, or, with `net` and `gross`, two
    Decimal attributes of the object, in its `currency_source` currency.
    """

    def __init__(
        self,
        *,
        net: str | None = None,
        gross: str | None = None,
        currency_source: str = "currency",
        **kwargs,
    ):
        self.sources = (net, gross) if net else None
        self.currency_source = currency_source
        if net:
            kwargs["source"] = "*"
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        if self.sources is None:
            return value
        currency = _read(value, self.currency_source)
        net, gross = (Money(_read(value, name), currency) for name in self.sources)
        return TaxedMoney(net=net, gross=gross)

    def to_representation(self, value):
        return {"net": money_json(value.net), "gross": money_json(value.gross)}
