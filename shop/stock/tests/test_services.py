import pytest
from django.db import transaction

from cms.factories import VariantFactory
from shop.stock import services
from shop.stock.models import Stock


def stock_of(variant):
    row = Stock.objects.get(variant=variant)
    return row.quantity, row.quantity_allocated


@pytest.mark.django_db
def test_allocate_reserves_every_line_in_one_update(django_assert_num_queries):
    # given two variants with stock
    a, b = VariantFactory(stock=5), VariantFactory(stock=3)
    # when both are allocated: one lock, one update, whatever the number of lines
    with transaction.atomic(), django_assert_num_queries(2):
        services.allocate({a.pk: 2, b.pk: 3})
    # then
    assert stock_of(a) == (5, 2)
    assert stock_of(b) == (3, 3)


@pytest.mark.django_db
def test_allocate_changes_nothing_when_one_line_is_short():
    # given one variant with enough and one without enough stock
    a, b = VariantFactory(stock=5), VariantFactory(stock=1)
    bare = VariantFactory(stock=None)
    Stock.objects.filter(variant=bare).delete()
    # when
    with pytest.raises(services.InsufficientStock) as error, transaction.atomic():
        services.allocate({a.pk: 2, b.pk: 2, bare.pk: 1})
    # then the shortages name both short variants, and nothing moved
    assert error.value.shortages == [
        services.Shortage(b.pk, 2, 1),
        services.Shortage(bare.pk, 1, 0),
    ]
    assert stock_of(a) == (5, 0)
    assert stock_of(b) == (1, 0)


@pytest.mark.django_db
def test_release_and_ship():
    # given 4 of 10 allocated
    a = VariantFactory(stock=10)
    with transaction.atomic():
        services.allocate({a.pk: 4})
    # when one is released and two are shipped
    with transaction.atomic():
        services.release({a.pk: 1})
        services.ship({a.pk: 2})
    # then the shipped units left on hand and allocation
    assert stock_of(a) == (8, 1)
