from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.factories import VariantFactory
from shop.cart import services, tasks
from shop.cart.models import Cart, CartLine
from shop.stock.models import Stock

pytestmark = pytest.mark.django_db


def quantities(cart):
    return list(
        CartLine.objects.filter(cart=cart)
        .order_by("id")
        .values_list("variant__sku", "quantity")
    )


def error_code(call, *args):
    with pytest.raises(services.CartError) as caught:
        call(*args)
    return caught.value.code


def test_add_line_adds_to_the_existing_line(anonymous_cart, variant):
    services.add_line(anonymous_cart, variant.pk, 2)
    line = services.add_line(anonymous_cart, variant.pk, 3)

    assert line.quantity == 5
    assert quantities(anonymous_cart) == [(variant.sku, 5)]


@pytest.mark.parametrize("quantity", [0, -1, 51, 10**20, True, 2.0])
def test_add_line_refuses_quantities_out_of_range(anonymous_cart, variant, quantity):
    assert (
        error_code(services.add_line, anonymous_cart, variant.pk, quantity)
        == "quantity_out_of_range"
    )
    assert quantities(anonymous_cart) == []


def test_the_line_limit_counts_units_already_in_the_cart(anonymous_cart, settings):
    settings.CART_MAX_LINE_QUANTITY = 4
    variant = VariantFactory(stock=100)
    services.add_line(anonymous_cart, variant.pk, 3)

    assert (
        error_code(services.add_line, anonymous_cart, variant.pk, 2)
        == "quantity_out_of_range"
    )
    assert quantities(anonymous_cart) == [(variant.sku, 3)]


def test_add_line_refuses_more_than_the_stock(anonymous_cart):
    variant = VariantFactory(stock=5)
    Stock.objects.filter(variant=variant).update(quantity_allocated=2)
    services.add_line(anonymous_cart, variant.pk, 2)

    assert (
        error_code(services.add_line, anonymous_cart, variant.pk, 2)
        == "insufficient_stock"
    )
    assert quantities(anonymous_cart) == [(variant.sku, 2)]


def test_unavailable_variants_are_refused(anonymous_cart):
    inactive = VariantFactory(is_active=False)
    unpublished = VariantFactory()
    unpublished.product.unpublish()
    sold_out = VariantFactory(stock=0)
    no_stock_row = VariantFactory()
    Stock.objects.filter(variant=no_stock_row).delete()

    for variant in (inactive, unpublished, sold_out, no_stock_row):
        assert (
            error_code(services.add_line, anonymous_cart, variant.pk, 1)
            == "variant_unavailable"
        )
    assert error_code(services.add_line, anonymous_cart, 10**9, 1) == (
        "variant_not_found"
    )
    assert quantities(anonymous_cart) == []


def test_a_cart_holds_one_currency(anonymous_cart, variant):
    services.add_line(anonymous_cart, variant.pk, 1)
    euro = VariantFactory(currency="EUR")

    assert (
        error_code(services.add_line, anonymous_cart, euro.pk, 1) == "currency_mismatch"
    )


def test_set_quantity_zero_removes_the_line(anonymous_cart, variant):
    line = services.add_line(anonymous_cart, variant.pk, 2)

    assert services.set_quantity(anonymous_cart, line.pk, 0) is None
    assert quantities(anonymous_cart) == []


def test_set_quantity_may_lower_below_the_stock_but_not_raise_above(
    anonymous_cart, variant
):
    line = services.add_line(anonymous_cart, variant.pk, 8)
    Stock.objects.filter(variant=variant).update(quantity=3)

    assert (
        error_code(services.set_quantity, anonymous_cart, line.pk, 9)
        == "insufficient_stock"
    )
    assert services.set_quantity(anonymous_cart, line.pk, 5).quantity == 5
    assert quantities(anonymous_cart) == [(variant.sku, 5)]


def test_lines_of_another_cart_are_not_found(anonymous_cart, variant):
    other = Cart.objects.create()
    line = services.add_line(other, variant.pk, 1)

    assert (
        error_code(services.set_quantity, anonymous_cart, line.pk, 2)
        == "line_not_found"
    )
    assert error_code(services.remove_line, anonymous_cart, line.pk) == (
        "line_not_found"
    )
    assert quantities(other) == [(variant.sku, 1)]


def test_clear_empties_the_cart_only(anonymous_cart, variant):
    services.add_line(anonymous_cart, variant.pk, 1)
    other = Cart.objects.create()
    services.add_line(other, variant.pk, 1)

    services.clear(anonymous_cart)

    assert quantities(anonymous_cart) == []
    assert quantities(other) == [(variant.sku, 1)]


def test_get_or_create_cart(shopper, anonymous_cart):
    mine = services.get_or_create_cart(user=shopper)

    assert services.get_or_create_cart(user=shopper) == mine
    assert services.get_or_create_cart(token=anonymous_cart.token) == anonymous_cart
    # A user's cart is never reachable by its token.
    with pytest.raises(Cart.DoesNotExist):
        services.get_or_create_cart(token=mine.token)
    assert services.get_or_create_cart().user is None


def test_cart_lines_for_checkout_in_one_query(
    anonymous_cart, django_assert_num_queries
):
    variants = [VariantFactory(price=Decimal("2.50")) for _ in range(3)]
    for variant in variants:
        services.add_line(anonymous_cart, variant.pk, 2)

    with django_assert_num_queries(1):
        lines = services.cart_lines_for_checkout(anonymous_cart)
        summary = [
            (
                line.variant.sku,
                line.variant.product.title,
                line.variant.product.live,
                services.available_quantity(line.variant),
            )
            for line in lines
        ]
        subtotal = services.cart_subtotal(lines)

    assert summary == [(v.sku, v.product.title, True, 10) for v in variants]
    assert subtotal == Decimal("15.00")


def test_merge_adds_caps_and_drops_with_a_report(shopper, anonymous_cart, settings):
    settings.CART_MAX_LINE_QUANTITY = 10
    in_both = VariantFactory(sku="BOTH", stock=6)
    only_anonymous = VariantFactory(sku="ANON", stock=50)
    over_limit = VariantFactory(sku="LIMIT", stock=50)
    gone = VariantFactory(sku="GONE", stock=5)
    mine = services.get_or_create_cart(user=shopper)
    services.add_line(mine, in_both.pk, 4)
    services.add_line(mine, over_limit.pk, 8)
    services.add_line(anonymous_cart, in_both.pk, 3)
    services.add_line(anonymous_cart, only_anonymous.pk, 2)
    services.add_line(anonymous_cart, over_limit.pk, 5)
    services.add_line(anonymous_cart, gone.pk, 1)
    Stock.objects.filter(variant=gone).update(quantity=0)

    report = services.merge_anonymous_cart_into_user(anonymous_cart, shopper)

    assert report.as_dict() == {
        "changed": True,
        "lines": [
            {
                "variant_id": in_both.pk,
                "sku": "BOTH",
                "requested": 3,
                "added": 2,
                "quantity": 6,
                "outcome": "capped",
                "reason": "insufficient_stock",
            },
            {
                "variant_id": only_anonymous.pk,
                "sku": "ANON",
                "requested": 2,
                "added": 2,
                "quantity": 2,
                "outcome": "merged",
                "reason": None,
            },
            {
                "variant_id": over_limit.pk,
                "sku": "LIMIT",
                "requested": 5,
                "added": 2,
                "quantity": 10,
                "outcome": "capped",
                "reason": "quantity_out_of_range",
            },
            {
                "variant_id": gone.pk,
                "sku": "GONE",
                "requested": 1,
                "added": 0,
                "quantity": 0,
                "outcome": "dropped",
                "reason": "variant_unavailable",
            },
        ],
    }
    assert quantities(mine) == [("BOTH", 6), ("LIMIT", 10), ("ANON", 2)]
    assert not Cart.objects.filter(pk=anonymous_cart.pk).exists()


def test_merge_into_a_user_without_a_cart(shopper, anonymous_cart, variant):
    services.add_line(anonymous_cart, variant.pk, 2)

    report = services.merge_anonymous_cart_into_user(anonymous_cart, shopper)

    assert report.changed is False
    assert quantities(Cart.objects.get(user=shopper)) == [(variant.sku, 2)]
    assert Cart.objects.count() == 1


def test_stale_anonymous_carts_are_deleted(shopper, variant, settings):
    settings.CART_ANONYMOUS_TTL_DAYS = 30
    stale = Cart.objects.create()
    services.add_line(stale, variant.pk, 1)
    fresh = Cart.objects.create()
    users = services.get_or_create_cart(user=shopper)
    long_ago = timezone.now() - timedelta(days=31)
    Cart.objects.filter(pk__in=[stale.pk, users.pk]).update(updated_at=long_ago)

    assert tasks.delete_stale_carts() == 1

    assert set(Cart.objects.values_list("pk", flat=True)) == {fresh.pk, users.pk}
    assert not CartLine.objects.exists()


def test_writes_to_a_cart_deleted_meanwhile_are_refused(anonymous_cart, variant):
    line = services.add_line(anonymous_cart, variant.pk, 1)
    Cart.objects.filter(pk=anonymous_cart.pk).delete()

    for call, args in (
        (services.add_line, (variant.pk, 1)),
        (services.set_quantity, (line.pk, 2)),
        (services.remove_line, (line.pk,)),
        (services.clear, ()),
    ):
        assert error_code(call, anonymous_cart, *args) == "cart_not_found"
    assert not CartLine.objects.exists()
