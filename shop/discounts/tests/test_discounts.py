from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.factories import CategoryPageFactory, ProductPageFactory
from shop.accounts.factories import UserFactory
from shop.discounts.factories import VoucherFactory
from shop.discounts.models import Voucher, VoucherScope, VoucherType, VoucherUsage
from shop.discounts.services import (
    VoucherDiscount,
    VoucherError,
    get_applicable_discount,
    redeem_voucher,
    release_voucher,
)
from shop.plugins.factories import checkout, line
from shop.plugins.types import Money

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"
SHIPPING = Money(Decimal("7.50"), "USD")


def usd(amount):
    return Money(Decimal(amount), "USD")


def discount(code, cart, shipping=SHIPPING, user_id=None, email=EMAIL, now=None):
    return get_applicable_discount(code, cart, shipping, user_id, email, now=now)


def error_code(code, cart, **kwargs):
    with pytest.raises(VoucherError) as raised:
        discount(code, cart, **kwargs)
    return raised.value.code


@pytest.fixture
def catalog():
    """Shoes > Running; a running shoe, a sock in no voucher category."""
    shoes = CategoryPageFactory(title="Shoes")
    running = CategoryPageFactory(title="Running", parent=shoes)
    clothing = CategoryPageFactory(title="Clothing")
    shoe = ProductPageFactory(title="Racer", parent=running)
    sock = ProductPageFactory(title="Sock", parent=clothing)
    return shoes, running, clothing, shoe, sock


@pytest.mark.parametrize(
    ("kind", "value", "scope", "expected"),
    [
        # Subtotal 2 x 19.99 + 5.55 = 45.53; shipping 7.50.
        (VoucherType.PERCENTAGE, "15", VoucherScope.ORDER, "6.83"),  # 6.8295
        (VoucherType.FIXED, "10.00", VoucherScope.ORDER, "10.00"),
        (VoucherType.FIXED, "100.00", VoucherScope.ORDER, "45.53"),
        (VoucherType.PERCENTAGE, "100", VoucherScope.ORDER, "45.53"),
        (VoucherType.PERCENTAGE, "33", VoucherScope.SHIPPING, "2.48"),  # 2.475
        (VoucherType.FIXED, "5.00", VoucherScope.SHIPPING, "5.00"),
        (VoucherType.FIXED, "9.00", VoucherScope.SHIPPING, "7.50"),
    ],
)
def test_order_and_shipping_vouchers_take_exact_amounts(kind, value, scope, expected):
    VoucherFactory(code="SAVE", type=kind, value=Decimal(value), scope=scope)
    cart = checkout(line("19.99", 2, product_id=1), line("5.55", product_id=2))

    result = discount("SAVE", cart)

    assert result == VoucherDiscount(
        voucher_id=Voucher.objects.get().pk,
        code="SAVE",
        amount=usd(expected),
        applies_to=scope,
    )


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        # Lines in scope: 3 x 12.35 = 37.05 (the 80.00 sock is not).
        (VoucherType.PERCENTAGE, "10", "3.71"),  # 3.705 rounds half-up
        (VoucherType.FIXED, "20.00", "20.00"),
        (VoucherType.FIXED, "50.00", "37.05"),
    ],
)
def test_product_vouchers_apply_to_their_products_only(catalog, kind, value, expected):
    *_, shoe, sock = catalog
    VoucherFactory(
        code="SHOES", type=kind, value=Decimal(value), scope="lines", products=[shoe]
    )
    cart = checkout(
        line("12.35", 3, product_id=shoe.pk), line("80.00", product_id=sock.pk)
    )

    result = discount("SHOES", cart)

    assert (result.amount, result.applies_to) == (usd(expected), "lines")


def test_a_category_voucher_covers_its_subcategories(catalog):
    shoes, running, clothing, shoe, sock = catalog
    VoucherFactory(code="CAT", value=Decimal("50"), scope="lines", categories=[shoes])
    cart = checkout(
        line("30.00", product_id=shoe.pk, category_ids=[running.pk]),
        line("11.00", 2, product_id=sock.pk, category_ids=[clothing.pk]),
    )

    assert discount("CAT", cart).amount == usd("15.00")


def test_a_voucher_on_products_and_categories_counts_each_line_once(catalog):
    shoes, running, clothing, shoe, sock = catalog
    VoucherFactory(
        code="BOTH",
        type=VoucherType.FIXED,
        value=Decimal("500"),
        scope="lines",
        products=[shoe, sock],
        categories=[running],
    )
    cart = checkout(
        line("30.00", product_id=shoe.pk, category_ids=[running.pk]),
        line("11.00", product_id=sock.pk, category_ids=[clothing.pk]),
    )

    assert discount("BOTH", cart).amount == usd("41.00")


def test_a_line_voucher_with_nothing_in_scope_is_not_applicable(catalog):
    shoes, running, clothing, shoe, sock = catalog
    VoucherFactory(code="CAT", scope="lines", categories=[running], products=[shoe])
    cart = checkout(line("11.00", product_id=sock.pk, category_ids=[clothing.pk]))

    assert error_code("CAT", cart) == "voucher_not_applicable"


def test_a_shipping_voucher_on_free_shipping_takes_nothing():
    VoucherFactory(code="SHIP", scope="shipping", type="fixed", value=Decimal("5"))

    result = discount("SHIP", checkout(line("10.00")), shipping=usd("0"))

    assert (result.amount, result.applies_to) == (usd("0.00"), "shipping")


def test_codes_are_case_insensitive_and_trimmed():
    VoucherFactory(code=" summer10 ")

    assert Voucher.objects.get().code == "SUMMER10"
    assert discount("  Summer10", checkout(line("20.00"))).amount == usd("2.00")


def test_an_unknown_code_is_not_found():
    VoucherFactory(code="REAL")

    assert error_code("FAKE", checkout(line("20.00"))) == "voucher_not_found"


def test_an_inactive_voucher_is_refused():
    VoucherFactory(code="OFF", is_active=False)

    assert error_code("OFF", checkout(line("20.00"))) == "voucher_inactive"


def test_a_voucher_is_valid_from_its_start_until_before_its_end():
    start = timezone.now()
    end = start + timedelta(days=7)
    VoucherFactory(code="WEEK", starts_at=start, ends_at=end)
    cart = checkout(line("20.00"))

    assert error_code("WEEK", cart, now=start - timedelta(seconds=1)) == (
        "voucher_not_started"
    )
    assert discount("WEEK", cart, now=start).amount == usd("2.00")
    assert discount("WEEK", cart, now=end - timedelta(seconds=1)).amount == usd("2.00")
    assert error_code("WEEK", cart, now=end) == "voucher_expired"


def test_the_minimum_order_compares_the_subtotal():
    VoucherFactory(code="MIN", min_order_value=Decimal("50.00"))

    assert error_code("MIN", checkout(line("49.99"))) == "voucher_min_order_not_met"
    assert discount("MIN", checkout(line("25.00", 2))).amount == usd("5.00")


def test_a_voucher_in_another_currency_is_refused():
    VoucherFactory(code="EURO", currency="EUR")
    cart = checkout(line("20.00"))

    assert error_code("EURO", cart) == "voucher_currency_mismatch"


def test_the_total_usage_limit():
    voucher = VoucherFactory(code="TWICE", usage_limit=2)
    redeem_voucher(voucher.pk, None, "a@example.com", 1)
    assert discount("TWICE", checkout(line("20.00"))).amount == usd("2.00")

    redeem_voucher(voucher.pk, None, "b@example.com", 2)

    assert error_code("TWICE", checkout(line("20.00"))) == (
        "voucher_usage_limit_reached"
    )
    with pytest.raises(VoucherError) as raised:
        redeem_voucher(voucher.pk, None, "c@example.com", 3)
    assert raised.value.code == "voucher_usage_limit_reached"
    voucher.refresh_from_db()
    assert voucher.used_count == 2
    assert sorted(VoucherUsage.objects.values_list("email", "order_reference")) == [
        ("a@example.com", "1"),
        ("b@example.com", "2"),
    ]


def test_the_per_customer_limit_counts_the_user_and_their_email():
    ada = UserFactory(email="ada@example.com")
    voucher = VoucherFactory(code="ONCE", usage_limit_per_customer=1)
    cart = checkout(line("20.00"))
    redeem_voucher(voucher.pk, ada.pk, "Ada@Example.com", 1)

    # Signed in, with another email; as a guest, with her email in other case.
    assert error_code("ONCE", cart, user_id=ada.pk, email="x@example.com") == (
        "voucher_customer_limit_reached"
    )
    assert error_code("ONCE", cart, email="ADA@example.com") == (
        "voucher_customer_limit_reached"
    )
    assert discount("ONCE", cart, email="bob@example.com").amount == usd("2.00")
    with pytest.raises(VoucherError) as raised:
        redeem_voucher(voucher.pk, ada.pk, "ada@example.com", 2)
    assert raised.value.code == "voucher_customer_limit_reached"
    assert VoucherUsage.objects.get().user_id == ada.pk


def test_redeeming_rechecks_active_and_dates():
    inactive = VoucherFactory(code="OFF", is_active=False)
    expired = VoucherFactory(
        code="OLD",
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=1),
    )

    codes = []
    for voucher in (inactive, expired):
        with pytest.raises(VoucherError) as raised:
            redeem_voucher(voucher.pk, None, EMAIL, 1)
        codes.append(raised.value.code)

    assert codes == ["voucher_inactive", "voucher_expired"]
    assert VoucherUsage.objects.count() == 0


def test_redeeming_a_deleted_voucher_is_not_found():
    voucher = VoucherFactory()
    voucher.delete()

    with pytest.raises(VoucherError) as raised:
        redeem_voucher(voucher.pk, None, EMAIL, 1)
    assert raised.value.code == "voucher_not_found"


def test_releasing_gives_the_use_back_once():
    voucher = VoucherFactory(code="ONE", usage_limit=1, usage_limit_per_customer=1)
    redeem_voucher(voucher.pk, None, EMAIL, 41)

    release_voucher(voucher.pk, 41)
    release_voucher(voucher.pk, 41)
    release_voucher(voucher.pk, 99)

    voucher.refresh_from_db()
    assert (voucher.used_count, VoucherUsage.objects.count()) == (0, 0)
    redeem_voucher(voucher.pk, None, EMAIL, 42)
    voucher.refresh_from_db()
    assert voucher.used_count == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"value": Decimal("0")},
        {"type": VoucherType.PERCENTAGE, "value": Decimal("100.01")},
        {"usage_limit": 2, "used_count": 3},
        {"usage_limit": 0},
        {"usage_limit_per_customer": 0},
    ],
)
def test_the_database_refuses_impossible_vouchers(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherFactory(**fields)


def test_the_count_cannot_pass_the_limit_even_behind_the_services_back():
    voucher = VoucherFactory(usage_limit=1, used_count=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(used_count=2)


def test_a_fixed_amount_above_100_is_fine():
    voucher = VoucherFactory(type=VoucherType.FIXED, value=Decimal("250.00"))

    voucher.full_clean()


@pytest.mark.parametrize("lines", [1, 10])
def test_a_line_voucher_is_priced_in_five_queries_whatever_the_lines(
    catalog, django_assert_num_queries, lines
):
    shoes, running, clothing, shoe, sock = catalog
    VoucherFactory(
        code="CAT",
        scope="lines",
        products=[sock],
        categories=[shoes],
        usage_limit_per_customer=1,
    )
    cart = checkout(
        *(
            line("10.00", product_id=shoe.pk, category_ids=[running.pk])
            for _ in range(lines)
        )
    )

    # The voucher, its products, its categories, their subtrees, the customer's uses.
    with django_assert_num_queries(5):
        result = discount("CAT", cart)

    assert result.amount == usd(f"{lines}.00")


def test_an_order_voucher_is_priced_in_one_query(django_assert_num_queries):
    VoucherFactory(code="ALL", usage_limit=10)

    with django_assert_num_queries(1):
        discount("ALL", checkout(line("10.00")))


def test_redeeming_takes_four_queries(django_assert_num_queries):
    voucher = VoucherFactory(usage_limit=10, usage_limit_per_customer=2)

    # Lock, count the customer's uses, count the use, record it.
    with django_assert_num_queries(4):
        redeem_voucher(voucher.pk, None, EMAIL, 1)


def test_an_order_redeems_a_voucher_once():
    voucher = VoucherFactory()
    redeem_voucher(voucher.pk, None, EMAIL, 7)

    with pytest.raises(IntegrityError), transaction.atomic():
        redeem_voucher(voucher.pk, None, "other@example.com", 7)

    voucher.refresh_from_db()
    assert (voucher.used_count, VoucherUsage.objects.count()) == (1, 1)


def test_uses_without_an_order_are_counted_but_never_released():
    voucher = VoucherFactory()
    redeem_voucher(voucher.pk, None, "a@example.com", None)
    redeem_voucher(voucher.pk, None, "b@example.com", None)

    release_voucher(voucher.pk, None)

    voucher.refresh_from_db()
    assert (voucher.used_count, VoucherUsage.objects.count()) == (2, 2)
