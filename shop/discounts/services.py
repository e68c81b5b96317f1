"""Vouchers at checkout: what a code takes off, and its redemption.

Interface for the checkout:

    get_applicable_discount(code: str, checkout: shop.plugins.types.CheckoutInfo,
        shipping_price: prices.Money, user_id: int | None, email: str,
        now=None) -> VoucherDiscount
        The discount a code gives this checkout. Read-only, takes no locks: use
        it to show totals. Raises VoucherError.

    redeem_voucher(voucher_id: int, user_id: int | None, email: str,
        order_id) -> None
        Call it INSIDE the transaction that completes the checkout. It locks
        the voucher row, re-checks that the voucher is active and within its
        dates and limits, counts the use and records a VoucherUsage for the
        order. Raises VoucherError when the voucher may no longer be used: roll
        the whole checkout back then. An order redeems a voucher once: a second
        call for the same order_id fails with IntegrityError.

    release_voucher(voucher_id: int, order_id) -> None
        Gives the use back when an order is cancelled or its payment declined:
        deletes the order's VoucherUsage and decrements the count. Idempotent:
        does nothing when the order holds no use of the voucher.

    VoucherDiscount(voucher_id, code, amount: Money, applies_to)
        `amount` never exceeds what it applies to; `applies_to` is "order"
        (the subtotal), "shipping" (the shipping price) or "lines" (the lines
        in the voucher's products and categories).

    VoucherError(code, message), with `code` one of: voucher_not_found,
        voucher_inactive, voucher_not_started, voucher_expired,
        voucher_min_order_not_met, voucher_usage_limit_reached,
        voucher_customer_limit_reached, voucher_not_applicable,
        voucher_currency_mismatch.

Decisions:
- A voucher has one currency: its fixed amount and minimum order are in it, and
  a checkout in another currency gets voucher_currency_mismatch (percentage
  vouchers too, so that one code never means two things).
- The minimum order is compared with the subtotal before any discount.
- Percentages are taken of the sum of what they apply to, then rounded half-up
  to the cent; fixed amounts are capped by that sum.
- A shipping voucher on a checkout with free (or not yet chosen) shipping gives
  zero rather than an error: the shopper sees the code accepted.
- A customer is the signed-in user or, for guests, the email: a use by either
  the user or their email (case-insensitive) counts against the per-customer
  limit, so signing out does not give a use back.
- Cancelling an order gives its use back (as Saleor does, unlike Shopify): a
  cancelled order bought nothing, and a declined payment must release the
  voucher the same way.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import F, Q, TextChoices
from django.utils import timezone
from prices import Money

from cms.models import CategoryPage
from shop.core.errors import ServiceError
from shop.discounts.models import (
    Voucher,
    VoucherScope,
    VoucherType,
    VoucherUsage,
    normalize_code,
)
from shop.plugins.types import CheckoutInfo

CENT = Decimal("0.01")


class VoucherErrorCode(TextChoices):
    VOUCHER_NOT_FOUND = "voucher_not_found", "No voucher has this code."
    VOUCHER_INACTIVE = "voucher_inactive", "The voucher is switched off."
    VOUCHER_NOT_STARTED = "voucher_not_started", "The voucher is not valid yet."
    VOUCHER_EXPIRED = "voucher_expired", "The voucher has expired."
    VOUCHER_USAGE_LIMIT_REACHED = (
        "voucher_usage_limit_reached",
        "The voucher has been used up.",
    )
    VOUCHER_CUSTOMER_LIMIT_REACHED = (
        "voucher_customer_limit_reached",
        "This customer has used the voucher already.",
    )
    VOUCHER_CURRENCY_MISMATCH = (
        "voucher_currency_mismatch",
        "The voucher is for orders in another currency.",
    )
    VOUCHER_MIN_ORDER_NOT_MET = (
        "voucher_min_order_not_met",
        "The order is below the voucher's minimum.",
    )
    VOUCHER_NOT_APPLICABLE = (
        "voucher_not_applicable",
        "Nothing in the checkout is eligible for the voucher.",
    )


class VoucherError(ServiceError):
    codes = VoucherErrorCode


@dataclass(frozen=True)
class VoucherDiscount:
    voucher_id: int
    code: str
    amount: Money
    applies_to: str  # a VoucherScope value


def get_applicable_discount(
    code: str,
    checkout: CheckoutInfo,
    shipping_price: Money,
    user_id: int | None,
    email: str,
    now=None,
) -> VoucherDiscount:
    voucher = Voucher.objects.filter(code=normalize_code(code)).first()
    if voucher is None:
        raise VoucherError("voucher_not_found", f"No voucher has the code {code!r}.")
    _check_usable(voucher, user_id, email, now or timezone.now())
    if checkout.currency != voucher.currency:
        raise VoucherError(
            "voucher_currency_mismatch",
            f"This voucher is for orders in {voucher.currency}.",
        )
    subtotal = checkout.subtotal
    if voucher.min_order_value is not None and subtotal.amount < (
        voucher.min_order_value
    ):
        raise VoucherError(
            "voucher_min_order_not_met",
            f"This voucher needs an order of at least "
            f"{voucher.min_order_value} {voucher.currency}.",
        )
    if voucher.scope == VoucherScope.ORDER:
        base = subtotal
    elif voucher.scope == VoucherScope.SHIPPING:
        base = shipping_price
    else:
        base = _lines_in_scope_total(voucher, checkout)
    return VoucherDiscount(
        voucher_id=voucher.pk,
        code=voucher.code,
        amount=_discount_of(voucher, base),
        applies_to=voucher.scope,
    )


def redeem_voucher(voucher_id: int, user_id: int | None, email: str, order_id) -> None:
    voucher = Voucher.objects.select_for_update().filter(pk=voucher_id).first()
    if voucher is None:
        raise VoucherError("voucher_not_found", "The voucher no longer exists.")
    # Uses of this voucher are counted only while its row is locked, so two
    # redemptions of the same voucher never both see the last free use.
    _check_usable(voucher, user_id, email, timezone.now())
    Voucher.objects.filter(pk=voucher_id).update(used_count=F("used_count") + 1)
    VoucherUsage.objects.create(
        voucher_id=voucher_id,
        user_id=user_id,
        email=email.strip().lower(),
        order_reference=_reference(order_id),
    )


@transaction.atomic
def release_voucher(voucher_id: int, order_id) -> None:
    reference = _reference(order_id)
    # Uses recorded without an order cannot be told apart: none is released.
    if not reference:
        return
    if Voucher.objects.select_for_update().filter(pk=voucher_id).first() is None:
        return
    deleted, _ = VoucherUsage.objects.filter(
        voucher_id=voucher_id, order_reference=reference
    ).delete()
    if deleted:
        Voucher.objects.filter(pk=voucher_id).update(
            used_count=F("used_count") - deleted
        )


def _reference(order_id) -> str:
    return "" if order_id is None else str(order_id)


def _check_usable(voucher: Voucher, user_id: int | None, email: str, now) -> None:
    if not voucher.is_active:
        raise VoucherError("voucher_inactive", "This voucher is not active.")
    if now < voucher.starts_at:
        raise VoucherError("voucher_not_started", "This voucher is not valid yet.")
    if voucher.ends_at is not None and now >= voucher.ends_at:
        raise VoucherError("voucher_expired", "This voucher has expired.")
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        raise VoucherError(
            "voucher_usage_limit_reached", "This voucher has been used up."
        )
    if voucher.usage_limit_per_customer is not None:
        uses = _customer_usages(voucher, user_id, email).count()
        if uses >= voucher.usage_limit_per_customer:
            raise VoucherError(
                "voucher_customer_limit_reached",
                "You have already used this voucher.",
            )


def _customer_usages(voucher: Voucher, user_id: int | None, email: str):
    customer = Q(email=email.strip().lower()) if email.strip() else Q(pk__in=[])
    if user_id is not None:
        customer |= Q(user_id=user_id)
    return voucher.usages.filter(customer)


def _lines_in_scope_total(voucher: Voucher, checkout: CheckoutInfo) -> Money:
    product_ids = set(voucher.products.values_list("pk", flat=True))
    category_ids = _with_descendants(voucher)
    in_scope = [
        line
        for line in checkout.lines
        if line.product_id in product_ids
        or category_ids.intersection(line.category_ids)
    ]
    if not in_scope:
        raise VoucherError(
            "voucher_not_applicable",
            "This voucher does not apply to any product in the cart.",
        )
    return sum((line.total for line in in_scope), Money(0, checkout.currency))


def _with_descendants(voucher: Voucher) -> set[int]:
    paths = list(voucher.categories.values_list("path", flat=True))
    if not paths:
        return set()
    subtree = reduce(or_, (Q(path__startswith=path) for path in paths))
    return set(CategoryPage.objects.filter(subtree).values_list("pk", flat=True))


def _discount_of(voucher: Voucher, base: Money) -> Money:
    if voucher.type == VoucherType.PERCENTAGE:
        amount = (base.amount * voucher.value / 100).quantize(CENT, ROUND_HALF_UP)
    else:
        amount = voucher.value
    return Money(min(amount, base.amount).quantize(CENT, ROUND_HALF_UP), base.currency)
