"""Builds the plain checkout snapshots that plugins receive (tests)."""

from decimal import Decimal

from shop.plugins.types import Address, CheckoutInfo, LineInfo, Money


def line(
    unit_price,
    quantity=1,
    *,
    product_id=1,
    category_ids=(),
    weight_kg="0",
    currency="USD",
    sku=None,
):
    return LineInfo(
        variant_id=product_id,
        sku=sku or f"SKU-{product_id}",
        product_id=product_id,
        quantity=quantity,
        unit_price=Money(Decimal(unit_price), currency),
        category_ids=tuple(category_ids),
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
