"""Builds the plain checkout snapshots that plugins receive."""

from decimal import Decimal

from shop.plugins.types import Address, CheckoutInfo, LineInfo, Money


def line(unit_price, quantity=1, *, weight_kg="0", currency="USD", sku="SKU"):
    return LineInfo(
        variant_id=1,
        sku=sku,
        product_id=1,
        quantity=quantity,
        unit_price=Money(unit_price, currency),
        weight_kg=Decimal(weight_kg),
    )


def checkout(*lines, country=None, billing=None, currency="USD", method=None):
    return CheckoutInfo(
        token="checkout-1",
        currency=currency,
        lines=lines,
        email="ada@example.com",
        shipping_address=Address(country) if country else None,
        billing_address=Address(billing) if billing else None,
        shipping_method_id=method,
    )
