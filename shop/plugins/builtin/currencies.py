"""The "currencies" setting shared by the built-in payment gateways."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError

from shop.plugins.base import ConfigField, FieldType

CURRENCY = re.compile(r"^[A-Z]{3}$")

CURRENCIES_FIELD = ConfigField(
    "currencies",
    FieldType.STRING,
    default="",
    label="Currencies",
    help_text="ISO codes separated by commas, e.g. USD,EUR. Empty: the shop's "
    "default currency.",
)


def parse_currencies(text: str) -> tuple[str, ...]:
    """``"usd, EUR"`` to ``("USD", "EUR")``; empty means the shop's default
    currency, read at call time so a deployment can change it."""
    codes = tuple(code.strip().upper() for code in text.split(",") if code.strip())
    return codes or (settings.DEFAULT_CURRENCY,)


def clean_currencies(cleaned: dict) -> dict:
    """Normalises ``cleaned["currencies"]``; raises ValidationError on a bad code."""
    codes = [code.strip().upper() for code in cleaned["currencies"].split(",")]
    codes = [code for code in codes if code]
    bad = [code for code in codes if not CURRENCY.match(code)]
    if bad:
        raise ValidationError(
            {"currencies": f"Not three-letter currency codes: {', '.join(bad)}."}
        )
    return {**cleaned, "currencies": ",".join(codes)}
