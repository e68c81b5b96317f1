"""Checkout: contact, addresses, shipping, voucher, totals and completion.

Totals are always computed here, through the plugin manager, from the cart's
lines at the variants' current prices; nothing a client sends is a price.

Completion (``complete_checkout``) works in three steps so that no row lock is
held over a network call:

1. one short transaction: lock the checkout, lock the stock rows (variant id
   order), allocate, redeem the voucher, create the order (lines, prices and
   addresses copied) and its pending payment;
2. no transaction: authorize (or capture) through the gateway plugin;
3. another short transaction recording the outcome: an accepted payment
   places the order for the plugins (``order_created``: the webhooks outbox
   row is written there); a decline releases the allocation and the voucher
   and keeps the order as a failed checkout attempt nobody is told about.

The same idempotency key on the same checkout always finds the same order.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.utils import timezone
from wagtail.models import Page

from cms.models import CategoryPage
from shop.cart import services as cart_services
from shop.checkout.metrics import COMPLETIONS
from shop.checkout.models import Checkout
from shop.core.errors import ServiceError
from shop.discounts.services import (
    VoucherDiscount,
    VoucherError,
    get_applicable_discount,
    redeem_voucher,
)
from shop.orders import services as order_services
from shop.orders.models import Order, OrderEventType, OrderLine, OrderStatus
from shop.payments import services as payment_services
from shop.payments.models import Payment, PaymentStatus
from shop.plugins.manager import get_plugins_manager
from shop.plugins.types import (
    Address,
    CheckoutInfo,
    LineInfo,
    Money,
    PaymentGateway,
    ShippingMethod,
    TaxedMoney,
    untaxed,
)
from shop.stock import services as stock


class CheckoutErrorCode(TextChoices):
    CART_EMPTY = "cart_empty", "There is nothing to check out."
    CHECKOUT_COMPLETED = (
        "checkout_completed",
        "The checkout is completed or being paid; start a new one.",
    )
    EMAIL_REQUIRED = "email_required", "Set the email first."
    SHIPPING_ADDRESS_REQUIRED = (
        "shipping_address_required",
        "Set the shipping address first.",
    )
    BILLING_ADDRESS_REQUIRED = "billing_address_required", "Set the billing address."
    SHIPPING_METHOD_REQUIRED = (
        "shipping_method_required",
        "Choose one of the shipping methods offered.",
    )
    INVALID_SHIPPING_METHOD = (
        "invalid_shipping_method",
        "The shipping method is not offered for this checkout.",
    )
    INVALID_GATEWAY = "invalid_gateway", "The payment gateway is not offered."
    VARIANT_UNAVAILABLE = (
        "variant_unavailable",
        "Some products are no longer for sale; `detail.variants` lists them.",
    )
    IDEMPOTENCY_KEY_REQUIRED = (
        "idempotency_key_required",
        "Send an Idempotency-Key header of 1 to 255 characters.",
    )
    PAYMENT_DECLINED = (
        "payment_declined",
        "The gateway declined the payment; nothing was ordered. "
        "`detail.reason` says why.",
    )


class CheckoutError(ServiceError):
    codes = CheckoutErrorCode


# Reading ------------------------------------------------------------------


def _address(data: dict | None) -> Address | None:
    if not data:
        return None
    return Address(
        country=data["country"],
        postal_code=data.get("postal_code", ""),
        city=data.get("city", ""),
    )


def variant_name(variant) -> str:
    return " / ".join(part for part in (variant.size, variant.color) if part)


@dataclass(frozen=True)
class CheckoutState:
    """A checkout with its lines as plugins see them, read in a fixed number of
    queries whatever the number of lines."""

    checkout: Checkout
    lines: list  # cart lines with variant, product and stock loaded
    info: CheckoutInfo


def _parent_path(line) -> str:
    return line.variant.product.path[: -Page.steplen]


def load(checkout: Checkout) -> CheckoutState:
    lines = cart_services.cart_lines_for_checkout(checkout.cart)
    # Each product's category is its parent page: one query for all of them.
    category_of_path = dict(
        CategoryPage.objects.filter(
            path__in={_parent_path(line) for line in lines}
        ).values_list("path", "id")
    )
    info = CheckoutInfo(
        token=str(checkout.token),
        currency=checkout.currency,
        lines=tuple(
            LineInfo(
                variant_id=line.variant_id,
                sku=line.variant.sku,
                product_id=line.variant.product_id,
                quantity=line.quantity,
                unit_price=Money(line.variant.price, line.variant.currency),
                weight_kg=line.variant.weight_kg,
                category_ids=tuple(
                    filter(None, [category_of_path.get(_parent_path(line))])
                ),
            )
            for line in lines
        ),
        email=checkout.email,
        shipping_address=_address(checkout.shipping_address),
        billing_address=_address(checkout.billing_address),
        shipping_method_id=checkout.shipping_method_id or None,
        user_id=checkout.user_id,
    )
    return CheckoutState(checkout, lines, info)


@dataclass(frozen=True)
class Totals:
    currency: str
    line_totals: tuple[TaxedMoney, ...]
    subtotal: TaxedMoney
    shipping_method: ShippingMethod | None
    shipping: TaxedMoney
    discount: Money
    total: TaxedMoney
    voucher: VoucherDiscount | None
    voucher_error: VoucherError | None

    @property
    def taxes(self) -> Money:
        return self.total.gross - self.total.net


def shipping_methods(state: CheckoutState) -> list[ShippingMethod]:
    return get_plugins_manager().get_shipping_methods(state.info)


def payment_gateways(state: CheckoutState) -> list[PaymentGateway]:
    return get_plugins_manager().get_payment_gateways(state.info)


def compute_totals(state: CheckoutState) -> Totals:
    manager = get_plugins_manager()
    info = state.info
    zero = Money(0, info.currency)
    line_totals = tuple(manager.calculate_line_total(info, line) for line in info.lines)
    subtotal = sum(line_totals, untaxed(zero))
    method = None
    shipping_price = zero
    if info.shipping_method_id:
        method = next(
            (m for m in shipping_methods(state) if m.id == info.shipping_method_id),
            None,
        )
        if method is not None:
            shipping_price = manager.get_shipping_price(info, method.id) or method.price
    shipping = manager.calculate_shipping_total(info, shipping_price)
    before_discount = manager.calculate_checkout_total(info, line_totals, shipping)
    voucher = voucher_error = None
    discount = zero
    if state.checkout.voucher_code:
        try:
            voucher = get_applicable_discount(
                state.checkout.voucher_code,
                info,
                shipping_price,
                info.user_id,
                info.email,
            )
            discount = min(voucher.amount, before_discount.gross)
        except VoucherError as error:
            voucher_error = error
    return Totals(
        currency=info.currency,
        line_totals=line_totals,
        subtotal=subtotal,
        shipping_method=method,
        shipping=shipping,
        discount=discount,
        total=_discounted(before_discount, discount),
        voucher=voucher,
        voucher_error=voucher_error,
    )


def _discounted(total: TaxedMoney, discount: Money) -> TaxedMoney:
    """Takes the discount off the gross and the same share off the net, so the
    tax part shrinks with it."""
    if not discount.amount:
        return total
    share = discount.amount / total.gross.amount
    net = total.net - Money(total.net.amount * share, total.net.currency)
    return TaxedMoney(net=net.quantize(), gross=(total.gross - discount).quantize())


# Writing ------------------------------------------------------------------


def _editable(checkout: Checkout) -> None:
    if checkout.completed_at is not None or checkout.order_id is not None:
        raise CheckoutError(
            "checkout_completed", "This checkout is completed or being paid."
        )


def create_checkout(cart, user=None) -> Checkout:
    """A checkout for the cart, pre-filled from the user's account."""
    lines = cart_services.cart_lines_for_checkout(cart)
    if not lines:
        raise CheckoutError("cart_empty", "The cart is empty.")
    checkout = Checkout(cart=cart, currency=lines[0].variant.currency)
    if user is not None and user.is_authenticated:
        checkout.user = user
        checkout.email = user.email
    checkout.save()
    get_plugins_manager().checkout_created(
        {"token": str(checkout.token), "user_id": checkout.user_id}
    )
    return checkout


def update_checkout(checkout: Checkout, **changes) -> Checkout:
    """Sets email and addresses (already validated by the caller); a new
    shipping address clears a shipping method that no longer applies.

    Every change of a checkout (here, and through set_shipping_method,
    apply_voucher and remove_voucher, which end here) tells the plugins
    ``checkout_updated`` once, naming the fields written, in the same
    transaction. Line changes happen to the cart (shop.cart.services) and are
    not announced: finding a cart's open checkouts on every cart write would add
    a query to each of them; totals read the lines afresh anyway.
    """
    _editable(checkout)
    for name, value in changes.items():
        setattr(checkout, name, value)
    if "shipping_address" in changes and checkout.shipping_method_id:
        available = {m.id for m in shipping_methods(load(checkout))}
        if checkout.shipping_method_id not in available:
            checkout.shipping_method_id = ""
            changes["shipping_method_id"] = ""
    with transaction.atomic():
        checkout.save(update_fields=[*changes, "updated_at"])
        get_plugins_manager().checkout_updated(
            {
                "token": str(checkout.token),
                "user_id": checkout.user_id,
                "fields": sorted(changes),
            },
        )
    return checkout


def set_shipping_method(checkout: Checkout, method_id: str) -> Checkout:
    _editable(checkout)
    state = load(checkout)
    if not state.info.shipping_address:
        raise CheckoutError(
            "shipping_address_required", "Set the shipping address first."
        )
    if method_id not in {m.id for m in shipping_methods(state)}:
        raise CheckoutError(
            "invalid_shipping_method",
            "This shipping method is not available.",
            "shipping_method_id",
        )
    return update_checkout(checkout, shipping_method_id=method_id)


def apply_voucher(checkout: Checkout, code: str) -> Checkout:
    _editable(checkout)
    state = load(checkout)
    checkout.voucher_code = code
    totals = compute_totals(CheckoutState(checkout, state.lines, state.info))
    if totals.voucher_error is not None:
        checkout.refresh_from_db(fields=["voucher_code"])
        raise totals.voucher_error
    return update_checkout(checkout, voucher_code=totals.voucher.code)


def remove_voucher(checkout: Checkout) -> Checkout:
    return update_checkout(checkout, voucher_code="")


# Completion ---------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    order: Order
    payment: Payment
    created: bool  # False: an earlier request with the same key placed it

    @property
    def declined(self) -> bool:
        return self.payment.status == PaymentStatus.FAILED

    @property
    def error(self) -> str:
        failed = [t for t in self.payment.transactions.all() if not t.is_success]
        return failed[-1].error if failed else ""


def _earlier(checkout: Checkout, key: str) -> Completion | None:
    order = (
        Order.objects.filter(checkout_token=checkout.token, idempotency_key=key)
        .prefetch_related("payments")
        .first()
    )
    if order is None:
        return None
    return Completion(order, order.payments.all()[0], created=False)


def _check_ready(state: CheckoutState, totals: Totals, gateway: str) -> None:
    checkout = state.checkout
    if not state.lines:
        raise CheckoutError("cart_empty", "The cart is empty.")
    unsellable = [
        # The shape of a stock shortage: none of these can be bought.
        {"variant_id": line.variant_id, "requested": line.quantity, "available": 0}
        for line in state.lines
        if not cart_services.is_sellable(line.variant)
        or line.variant.currency != checkout.currency
    ]
    if unsellable:
        raise CheckoutError(
            "variant_unavailable",
            "Some products are no longer for sale.",
            detail={"variants": unsellable},
        )
    if not checkout.email:
        raise CheckoutError("email_required", "Set the email first.")
    if not checkout.shipping_address:
        raise CheckoutError("shipping_address_required", "Set the shipping address.")
    if not checkout.billing_address:
        raise CheckoutError("billing_address_required", "Set the billing address.")
    if totals.shipping_method is None:
        raise CheckoutError(
            "shipping_method_required", "Choose an available shipping method."
        )
    if totals.voucher_error is not None:
        raise totals.voucher_error
    if gateway not in {g.id for g in payment_gateways(state)}:
        raise CheckoutError(
            "invalid_gateway", "This payment gateway is not offered.", "gateway"
        )


def _place_order(
    state: CheckoutState, totals: Totals, key: str, gateway: str
) -> tuple[Order, Payment] | Completion:
    """Step 1: everything that must happen together, under row locks."""
    checkout = Checkout.objects.select_for_update().get(pk=state.checkout.pk)
    # Another request with this key may have finished while we waited.
    earlier = _earlier(checkout, key)
    if earlier is not None:
        return earlier
    _editable(checkout)
    info = state.info
    quantities: dict[int, int] = {}
    for line in info.lines:
        quantities[line.variant_id] = quantities.get(line.variant_id, 0) + line.quantity
    stock.allocate(quantities)
    order = Order.objects.create(
        user_id=checkout.user_id,
        email=checkout.email,
        checkout_token=checkout.token,
        idempotency_key=key,
        currency=checkout.currency,
        shipping_address=checkout.shipping_address,
        billing_address=checkout.billing_address,
        shipping_method_id=totals.shipping_method.id,
        shipping_method_name=totals.shipping_method.name,
        voucher_id=totals.voucher.voucher_id if totals.voucher else None,
        voucher_code=totals.voucher.code if totals.voucher else "",
        subtotal_net=totals.subtotal.net.amount,
        subtotal_gross=totals.subtotal.gross.amount,
        shipping_net=totals.shipping.net.amount,
        shipping_gross=totals.shipping.gross.amount,
        discount_amount=totals.discount.amount,
        total_net=totals.total.net.amount,
        total_gross=totals.total.gross.amount,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant_id=line.variant_id,
            product_name=line.variant.product.title,
            variant_name=variant_name(line.variant),
            sku=line.variant.sku,
            quantity=line.quantity,
            unit_price_net=(total.net / line.quantity).quantize().amount,
            unit_price_gross=(total.gross / line.quantity).quantize().amount,
            total_net=total.net.amount,
            total_gross=total.gross.amount,
        )
        for line, total in zip(state.lines, totals.line_totals, strict=True)
    )
    if totals.voucher:
        redeem_voucher(
            totals.voucher.voucher_id, checkout.user_id, checkout.email, order.pk
        )
    payment = Payment.objects.create(
        order=order,
        gateway=gateway,
        currency=order.currency,
        amount=order.total_gross,
    )
    order_services.add_event(order, OrderEventType.PLACED, gateway=gateway)
    checkout.order = order
    checkout.save(update_fields=["order", "updated_at"])
    return order, payment


def complete_checkout(checkout: Checkout, key: str, gateway: str, payment_token: str):
    """Places the order and pays for it; returns a Completion (``declined``
    tells whether the payment failed) or raises CheckoutError."""
    earlier = _earlier(checkout, key)
    if earlier is not None:
        return earlier
    _editable(checkout)
    state = load(checkout)
    totals = compute_totals(state)
    _check_ready(state, totals, gateway)
    try:
        with transaction.atomic():
            placed = _place_order(state, totals, key, gateway)
    except IntegrityError:
        # A concurrent duplicate got past the lookup: the constraint kept one.
        earlier = _earlier(checkout, key)
        if earlier is None:
            raise
        return earlier
    if isinstance(placed, Completion):
        return placed
    order, payment = placed
    payment, response = payment_services.authorize(payment, payment_token)
    if not response.is_success:
        order = order_services.payment_declined(order, response.error)
        Checkout.objects.filter(pk=checkout.pk, order=order).update(order=None)
        COMPLETIONS.labels("declined").inc()
        return Completion(order, payment, created=True)
    order = order_services.payment_succeeded(order, payment)
    if order.status == OrderStatus.FAILED:
        payment = payment_services.void(payment)
        COMPLETIONS.labels("failed").inc()
        return Completion(order, payment, created=True)
    with transaction.atomic():
        Checkout.objects.filter(pk=checkout.pk).update(completed_at=timezone.now())
        cart_services.clear(checkout.cart)
    COMPLETIONS.labels("placed").inc()
    return Completion(order, payment, created=True)
