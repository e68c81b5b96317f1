import pytest
from django.db import transaction

from cms.factories import VariantFactory
from shop.plugins.manager import get_plugins_manager
from shop.stock import services
from shop.stock.models import Stock
from shop.webhooks.tests.outbox import outbox, subscribe


def stock_of(variant):
    row = Stock.objects.get(variant=variant)
    return row.quantity, row.quantity_allocated


@pytest.mark.django_db
def test_allocate_reserves_every_line_in_one_update(django_assert_num_queries):
    # given two variants with stock
    a, b = VariantFactory(stock=5), VariantFactory(stock=4)
    # when both are allocated, neither selling out: one lock, one update,
    # whatever the number of lines
    with transaction.atomic(), django_assert_num_queries(2):
        services.allocate({a.pk: 2, b.pk: 3})
    # then
    assert stock_of(a) == (5, 2)
    assert stock_of(b) == (4, 3)


@pytest.mark.django_db
def test_selling_out_announces_each_variant_once(django_assert_num_queries):
    # given a webhook for stock events and three variants, two about to sell out
    subscribe("variant_out_of_stock", "variant_back_in_stock")
    a, b, c = VariantFactory(stock=5), VariantFactory(stock=3), VariantFactory(stock=1)
    # The cache starts empty (root conftest): load the plugins once, outside.
    get_plugins_manager()
    # when all are allocated: lock, update, the sold-out variants' SKUs, then
    # per event the webhooks plugin's savepoint, subscriber read, insert, release
    with transaction.atomic(), django_assert_num_queries(3 + 2 * 4):
        services.allocate({a.pk: 2, b.pk: 3, c.pk: 1})
    # then
    assert [(event, data["sku"]) for event, data in outbox()] == [
        ("variant_out_of_stock", b.sku),
        ("variant_out_of_stock", c.sku),
    ]
    # and releasing them brings both back
    with transaction.atomic():
        services.release({b.pk: 1, c.pk: 1})
    assert [(event, data["quantity_available"]) for event, data in outbox()[2:]] == [
        ("variant_back_in_stock", 1),
        ("variant_back_in_stock", 1),
    ]


@pytest.mark.django_db
def test_set_quantity_refuses_less_than_allocated():
    variant = VariantFactory(stock=5)
    with transaction.atomic():
        services.allocate({variant.pk: 4})

    with pytest.raises(services.QuantityBelowAllocated) as refused:
        services.set_quantity(variant.pk, 3)

    assert refused.value.allocated == 4
    assert stock_of(variant) == (5, 4)


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
