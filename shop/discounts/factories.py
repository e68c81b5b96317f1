"""factory-boy factories for discounts."""

from decimal import Decimal

import factory

from shop.discounts.models import Voucher, VoucherScope, VoucherType


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
