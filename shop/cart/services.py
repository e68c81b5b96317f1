"""Cart behaviour: plain functions, each holding its own transaction.

Writes lock the cart row first, so that two requests on one cart (two tabs,
a retried call) apply one after the other. Stock is read, never locked: a cart
reserves nothing; checkout allocates under row locks.

Rules every write keeps:

- a line's quantity is a whole number from 1 to ``settings.CART_MAX_LINE_QUANTITY``
  and, when it grows, no more than the variant's available stock;
- only active variants of live products with stock can be added;
- prices are never stored: they are read from the variant when shown.

Refusals raise ``CartError`` with a code (``variant_not_found``,
``variant_unavailable``, ``insufficient_stock``, ``quantity_out_of_range``,
``currency_mismatch``, ``line_not_found``, ``cart_not_found``); nothing is
written then.

For checkout: ``cart_lines_for_checkout(cart)`` returns the cart's lines in one
query, oldest first, each with ``line.variant``, ``line.variant.product`` (the
ProductPage) and the variant's stock (read it with ``available_quantity``)
already loaded; reading them costs no further query. ``is_sellable(variant)``
tells whether a variant can still be bought; ``line_total(line)`` and
``cart_subtotal(lines)`` price lines at the variants' current prices; ``clear``
empties the cart once its order is placed (a user keeps their one cart).
Which cart a request means is decided in ``shop.cart.identity``.
"""

from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum, TextChoices
from django.utils import timezone

from cms.models import Variant
from shop.cart.models import Cart, CartLine
from shop.core.errors import ServiceError


class CartErrorCode(TextChoices):
    VARIANT_NOT_FOUND = "variant_not_found", "No variant has this id."
    QUANTITY_OUT_OF_RANGE = (
        "quantity_out_of_range",
        "The quantity is not a whole number within the line limit.",
    )
    VARIANT_UNAVAILABLE = (
        "variant_unavailable",
        "The variant is not for sale or out of stock; see `detail.variants`.",
    )
    INSUFFICIENT_STOCK = (
        "insufficient_stock",
        "Fewer units are in stock; `detail.variants` says how many.",
    )
    CURRENCY_MISMATCH = (
        "currency_mismatch",
        "The variant is sold in another currency than the rest of the cart.",
    )
    LINE_NOT_FOUND = "line_not_found", "The cart has no such line."
    CART_NOT_FOUND = (
        "cart_not_found",
        "The cart token names no anonymous cart; forget it.",
    )


class CartError(ServiceError):
    codes = CartErrorCode


def max_line_quantity() -> int:
    return settings.CART_MAX_LINE_QUANTITY


# Reading -------------------------------------------------------------------


def _lines(cart_id: int):
    return (
        CartLine.objects.filter(cart_id=cart_id)
        .select_related("variant__product", "variant__stock")
        .order_by("id")
    )


def cart_lines_for_checkout(cart: Cart) -> list[CartLine]:
    return list(_lines(cart.pk))


def available_quantity(variant: Variant) -> int:
    """Units that can still be sold: 0 for a variant with no stock row."""
    stock = getattr(variant, "stock", None)
    return stock.quantity_available if stock else 0


def is_sellable(variant: Variant) -> bool:
    return variant.is_active and variant.product.live


def line_total(line: CartLine) -> Decimal:
    return line.variant.price * line.quantity


def cart_subtotal(lines: list[CartLine]) -> Decimal:
    return sum((line_total(line) for line in lines), Decimal("0.00"))


def item_count(user=None, token=None) -> int:
    """Units in the user's cart, or else in the anonymous cart with this token
    (one query)."""
    if user is not None and user.is_authenticated:
        carts = {"cart__user": user}
    elif token is not None:
        carts = {"cart__token": token, "cart__user__isnull": True}
    else:
        return 0
    total = CartLine.objects.filter(**carts).aggregate(total=Sum("quantity"))
    return total["total"] or 0


def find_cart(user=None, token=None) -> Cart | None:
    """The user's cart, or else the anonymous cart with this token."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user).first()
    if token is None:
        return None
    return Cart.objects.filter(token=token, user__isnull=True).first()


def get_or_create_cart(user=None, token=None) -> Cart:
    """The user's cart (made on first use), the anonymous cart with this token, or
    a new anonymous cart when no token is given.

    Raises Cart.DoesNotExist for a token that names no anonymous cart: the client
    should forget it rather than silently start another.
    """
    if user is not None and user.is_authenticated:
        cart, _ = Cart.objects.get_or_create(user=user)
        return cart
    if token is None:
        return Cart.objects.create()
    return Cart.objects.get(token=token, user__isnull=True)


# Writing -------------------------------------------------------------------


def _lock(cart: Cart) -> None:
    # The UPDATE takes the row lock and records the activity in one query.
    if not Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now()):
        # Merged into a user's cart (or cleaned up) while this request waited.
        raise CartError("cart_not_found", "This cart no longer exists.")


def _check_quantity(quantity: int, minimum: int) -> None:
    limit = max_line_quantity()
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise CartError(
            "quantity_out_of_range", "The quantity must be a number.", "quantity"
        )
    if not minimum <= quantity <= limit:
        raise CartError(
            "quantity_out_of_range",
            f"The quantity must be from {minimum} to {limit}.",
            "quantity",
        )


def _check_can_hold(variant: Variant, quantity: int) -> None:
    available = available_quantity(variant) if is_sellable(variant) else 0
    # The detail has the shape of a checkout's stock shortage.
    detail = {
        "variants": [
            {
                "variant_id": variant.pk,
                "requested": quantity,
                "available": max(available, 0),
            }
        ]
    }
    if not is_sellable(variant):
        raise CartError(
            "variant_unavailable", f"{variant.sku} is not for sale.", detail=detail
        )
    if available <= 0:
        raise CartError(
            "variant_unavailable", f"{variant.sku} is out of stock.", detail=detail
        )
    if quantity > available:
        raise CartError(
            "insufficient_stock",
            f"Only {available} of {variant.sku} available.",
            detail=detail,
        )


def add_line(cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Adds `quantity` units, to the variant's line when the cart has one."""
    _check_quantity(quantity, 1)
    with transaction.atomic():
        _lock(cart)
        variant = (
            Variant.objects.select_related("product", "stock")
            .filter(pk=variant_id)
            .first()
        )
        if variant is None:
            raise CartError("variant_not_found", f"No variant {variant_id}.")
        line = CartLine.objects.filter(cart=cart, variant=variant).first()
        total = quantity + (line.quantity if line else 0)
        if total > max_line_quantity():
            raise CartError(
                "quantity_out_of_range",
                f"A line holds at most {max_line_quantity()} units.",
                "quantity",
            )
        _check_can_hold(variant, total)
        if line is None:
            if (
                CartLine.objects.filter(cart=cart)
                .exclude(variant__currency=variant.currency)
                .exists()
            ):
                raise CartError(
                    "currency_mismatch",
                    f"{variant.sku} is sold in {variant.currency}, "
                    "unlike the rest of the cart.",
                )
            line = CartLine.objects.create(cart=cart, variant=variant, quantity=total)
        else:
            line.quantity = total
            line.save(update_fields=["quantity"])
    return line


def set_quantity(cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Sets a line's quantity; 0 removes the line (and returns None).

    Lowering a quantity is always allowed, even when the variant went out of
    stock meanwhile; raising it must fit the stock.
    """
    _check_quantity(quantity, 0)
    with transaction.atomic():
        _lock(cart)
        line = _lines(cart.pk).filter(pk=line_id).first()
        if line is None:
            raise CartError("line_not_found", "No such line in this cart.")
        if quantity == 0:
            line.delete()
            return None
        if quantity > line.quantity:
            _check_can_hold(line.variant, quantity)
        line.quantity = quantity
        line.save(update_fields=["quantity"])
    return line


def remove_line(cart: Cart, line_id: int) -> None:
    with transaction.atomic():
        _lock(cart)
        deleted, _ = CartLine.objects.filter(cart=cart, pk=line_id).delete()
    if not deleted:
        raise CartError("line_not_found", "No such line in this cart.")


def clear(cart: Cart) -> None:
    with transaction.atomic():
        _lock(cart)
        CartLine.objects.filter(cart=cart).delete()


def delete_stale_anonymous_carts() -> int:
    """Deletes anonymous carts untouched for CART_ANONYMOUS_TTL_DAYS; returns how
    many. Users' carts stay."""
    cutoff = timezone.now() - timedelta(days=settings.CART_ANONYMOUS_TTL_DAYS)
    _, by_model = Cart.objects.filter(user__isnull=True, updated_at__lt=cutoff).delete()
    return by_model.get(Cart._meta.label, 0)


# Merging at sign-in --------------------------------------------------------


@dataclass(frozen=True)
class MergedLine:
    variant_id: int
    sku: str
    requested: int  # units in the anonymous cart
    added: int  # units that made it into the user's cart
    quantity: int  # the user's line afterwards (0: no line)
    # "merged" (all added), "capped" (some), "dropped" (none).
    outcome: str
    # Why not all: "variant_unavailable", "insufficient_stock",
    # "quantity_out_of_range", "currency_mismatch"; None when merged.
    reason: str | None


@dataclass(frozen=True)
class MergeReport:
    lines: tuple[MergedLine, ...]

    @property
    def changed(self) -> bool:
        return any(line.outcome != "merged" for line in self.lines)

    def as_dict(self) -> dict:
        return {
            "lines": [asdict(line) for line in self.lines],
            "changed": self.changed,
        }


def merge_anonymous_cart_into_user(anonymous_cart: Cart, user) -> MergeReport:
    """Moves the anonymous cart's lines into the user's cart and deletes it.

    Quantities add up to what the line limit and the stock allow; what did not
    fit is reported, line by line, so the client can tell the shopper.
    """
    if anonymous_cart.user_id is not None:
        raise ValueError("Only an anonymous cart can be merged")
    with transaction.atomic():
        target = get_or_create_cart(user=user)
        # Both rows, in id order, so two merges never wait on each other in turn.
        list(
            Cart.objects.select_for_update()
            .filter(pk__in=[target.pk, anonymous_cart.pk])
            .order_by("pk")
        )
        lines = list(
            CartLine.objects.filter(cart_id__in=[target.pk, anonymous_cart.pk])
            .select_related("variant__product", "variant__stock")
            .order_by("id")
        )
        existing = {
            line.variant_id: line for line in lines if line.cart_id == target.pk
        }
        currency = next((line.variant.currency for line in existing.values()), None)
        report, to_create, to_update = [], [], []
        for incoming in (line for line in lines if line.cart_id == anonymous_cart.pk):
            variant = incoming.variant
            currency = currency or variant.currency
            current = existing.get(variant.pk)
            before = current.quantity if current else 0
            room, reason = _room(variant, before, currency)
            added = min(incoming.quantity, room)
            if added == incoming.quantity:
                outcome = "merged"
            else:
                outcome = "capped" if added else "dropped"
            if added and current:
                current.quantity += added
                to_update.append(current)
            elif added:
                to_create.append(CartLine(cart=target, variant=variant, quantity=added))
            report.append(
                MergedLine(
                    variant_id=variant.pk,
                    sku=variant.sku,
                    requested=incoming.quantity,
                    added=added,
                    quantity=before + added,
                    outcome=outcome,
                    reason=None if outcome == "merged" else reason,
                )
            )
        # The anonymous lines go first: they are what a new line may replace.
        anonymous_cart.delete()
        CartLine.objects.bulk_update(to_update, ["quantity"])
        CartLine.objects.bulk_create(to_create)
    return MergeReport(lines=tuple(report))


def _room(variant: Variant, in_cart: int, currency: str) -> tuple[int, str]:
    """How many more units the user's line can take, and what limits it."""
    if variant.currency != currency:
        return 0, "currency_mismatch"
    if not is_sellable(variant):
        return 0, "variant_unavailable"
    available = available_quantity(variant)
    if available <= 0:
        return 0, "variant_unavailable"
    by_stock = available - in_cart
    by_limit = max_line_quantity() - in_cart
    if by_limit < by_stock:
        return max(by_limit, 0), "quantity_out_of_range"
    return max(by_stock, 0), "insufficient_stock"
