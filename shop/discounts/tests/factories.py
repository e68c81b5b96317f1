"""Vouchers and the checkout snapshots they are applied to."""

from decimal import Decimal

import factory

from shop.discounts.models import Voucher, VoucherScope, VoucherType
from shop.plugins.types import CheckoutInfo, LineInfo, Money


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voucher
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CODE{n}")
    name = "Promotion"
    type = VoucherType.PERCENTAGE
    value = Decimal("10")
    currency = "USD"
    scope = VoucherScope.ORDER

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.products.set(extracted)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)


def line(unit_price, quantity=1, *, product_id=1, category_ids=(), currency="USD"):
    return LineInfo(
        variant_id=product_id,
        sku=f"SKU-{product_id}",
        product_id=product_id,
        quantity=quantity,
        unit_price=Money(Decimal(unit_price), currency),
        category_ids=tuple(category_ids),
    )


def checkout(*lines, currency="USD"):
    return CheckoutInfo(
        token="checkout-1", currency=currency, lines=lines, email="ada@example.com"
    )
