"""What happens to an order after it is placed: payment outcome, fulfilment,
refunds, cancellation. Used by the REST API and the Wagtail admin alike.

Each change locks the order row, checks the status it starts from, records an
OrderEvent and tells the plugins in the same transaction; gateway calls happen
outside it.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shop.discounts.services import release_voucher
from shop.orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderEventType,
    OrderLine,
    OrderStatus,
)
from shop.payments import services as payments
from shop.payments.models import Payment, PaymentStatus
from shop.plugins.manager import get_plugins_manager
from shop.stock import services as stock

CANCELLABLE = (OrderStatus.UNCONFIRMED, OrderStatus.UNFULFILLED)
# A checkout's payment normally answers within seconds of the order being
# placed; an order still without an answer after this lost its request.
ABANDONED_AFTER = timedelta(minutes=15)
FULFILLABLE = (OrderStatus.UNFULFILLED, OrderStatus.PARTIALLY_FULFILLED)


class OrderError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _money(amount: Decimal, currency: str) -> dict:
    return {"amount": str(amount), "currency": currency}


def order_payload(order: Order, lines=None, **extra) -> dict:
    """The JSON payload of order events (see shop.plugins.builtin.email)."""
    lines = order.lines.all() if lines is None else lines
    return {
        "id": order.pk,
        "number": order.number,
        "email": order.email,
        "status": order.status,
        "user_id": order.user_id,
        "lines": [
            {
                "name": line.product_name,
                "variant_name": line.variant_name,
                "sku": line.sku,
                "variant_id": line.variant_id,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price_gross, order.currency),
                "total": _money(line.total_gross, order.currency),
            }
            for line in lines
        ],
        "subtotal": _money(order.subtotal_gross, order.currency),
        "shipping": _money(order.shipping_gross, order.currency),
        "discount": _money(order.discount_amount, order.currency),
        "total": _money(order.total_gross, order.currency),
        **extra,
    }


def add_event(order: Order, type: str, *, user=None, note: str = "", **data):
    return OrderEvent.objects.create(
        order=order, type=type, user=user, note=note[:1000], data=data
    )


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _set_status(order: Order, status: str, user=None, note: str = "") -> None:
    previous = order.status
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    add_event(
        order,
        OrderEventType.STATUS_CHANGED,
        user=user,
        note=note,
        previous=previous,
        status=status,
    )


def _unfulfilled(order: Order) -> dict[int, int]:
    quantities: dict[int, int] = {}
    for line in order.lines.all():
        if line.variant_id is not None and line.quantity_unfulfilled:
            quantities[line.variant_id] = (
                quantities.get(line.variant_id, 0) + line.quantity_unfulfilled
            )
    return quantities


def _release_voucher(order: Order) -> None:
    if order.voucher_id is not None:
        release_voucher(order.voucher_id, order.pk)


def payment_succeeded(order: Order, payment: Payment) -> Order:
    """The checkout's payment went through (or a manual one is waiting)."""
    with transaction.atomic():
        order = _locked(order)
        if order.status == OrderStatus.CANCELLED:
            # Swept as abandoned while the gateway was answering: the caller
            # voids the payment.
            return order
        if payment.status == PaymentStatus.PENDING:
            add_event(order, OrderEventType.PLACED, note="Awaiting manual payment.")
            return order
        kind = (
            OrderEventType.PAYMENT_CAPTURED
            if payment.status == PaymentStatus.CAPTURED
            else OrderEventType.PAYMENT_AUTHORIZED
        )
        add_event(order, kind, amount=str(payment.amount), gateway=payment.gateway)
        _set_status(order, OrderStatus.UNFULFILLED)
        if payment.status == PaymentStatus.CAPTURED:
            get_plugins_manager().order_paid(order_payload(order))
    return order


def payment_declined(order: Order, error: str) -> Order:
    """The checkout's payment was declined: nothing of the order may stay
    reserved (stock, voucher use)."""
    with transaction.atomic():
        order = _locked(order)
        # Only a placed order still waiting for its payment can be declined.
        if order.status != OrderStatus.UNCONFIRMED:
            return order
        order.payments.filter(status=PaymentStatus.PENDING).update(
            status=PaymentStatus.FAILED
        )
        stock.release(_unfulfilled(order))
        _release_voucher(order)
        add_event(order, OrderEventType.PAYMENT_FAILED, note=error)
        _set_status(order, OrderStatus.CANCELLED, note="Payment declined.")
        get_plugins_manager().order_cancelled(order_payload(order))
    return order


def cancel_order(order: Order, user=None, note: str = "") -> Order:
    """Cancels an order nothing of which was shipped: stock and voucher are
    released at once, then the payment is voided (authorized) or refunded
    (captured) through its gateway."""
    with transaction.atomic():
        order = _locked(order)
        if order.status not in CANCELLABLE:
            raise OrderError(
                "not_cancellable",
                f"An order that is {order.status} cannot be cancelled.",
            )
        stock.release(_unfulfilled(order))
        _release_voucher(order)
        add_event(order, OrderEventType.CANCELLED, user=user, note=note)
        _set_status(order, OrderStatus.CANCELLED, user=user, note=note)
        get_plugins_manager().order_cancelled(order_payload(order))
    for payment in order.payments.all():
        try:
            if payment.status in (PaymentStatus.AUTHORIZED, PaymentStatus.PENDING):
                payments.void(payment)
            elif payment.refundable_amount > 0:
                payments.refund(payment)
        except payments.PaymentError as error:
            # The order stays cancelled; staff see why the money did not move.
            add_event(order, OrderEventType.NOTE, user=user, note=error.message)
    return order


def fulfil_order(
    order: Order,
    user=None,
    tracking_number: str = "",
    quantities: dict[int, int] | None = None,
) -> Fulfillment:
    """Ships ``{order line id: quantity}`` (default: everything not shipped yet):
    the allocated units leave the stock."""
    with transaction.atomic():
        order = _locked(order)
        if order.status not in FULFILLABLE:
            raise OrderError(
                "not_fulfillable", f"An order that is {order.status} cannot be shipped."
            )
        lines = {line.pk: line for line in order.lines.all()}
        if quantities is None:
            quantities = {pk: line.quantity_unfulfilled for pk, line in lines.items()}
        quantities = {pk: q for pk, q in quantities.items() if q}
        for pk, quantity in quantities.items():
            line = lines.get(pk)
            if line is None or not 0 < quantity <= line.quantity_unfulfilled:
                raise OrderError(
                    "invalid_quantity", f"Cannot ship {quantity} of line {pk}."
                )
        if not quantities:
            raise OrderError("nothing_to_fulfil", "Nothing is left to ship.")
        shipped: dict[int, int] = {}
        for pk, quantity in quantities.items():
            line = lines[pk]
            line.quantity_fulfilled += quantity
            if line.variant_id is not None:
                shipped[line.variant_id] = shipped.get(line.variant_id, 0) + quantity
        stock.ship(shipped)
        OrderLine.objects.bulk_update(
            [lines[pk] for pk in quantities], ["quantity_fulfilled"]
        )
        fulfillment = Fulfillment.objects.create(
            order=order, tracking_number=tracking_number
        )
        FulfillmentLine.objects.bulk_create(
            FulfillmentLine(fulfillment=fulfillment, order_line_id=pk, quantity=q)
            for pk, q in quantities.items()
        )
        done = all(not line.quantity_unfulfilled for line in lines.values())
        add_event(
            order,
            OrderEventType.FULFILLED,
            user=user,
            note=tracking_number,
            tracking_number=tracking_number,
            lines={str(pk): q for pk, q in quantities.items()},
        )
        _set_status(
            order,
            OrderStatus.FULFILLED if done else OrderStatus.PARTIALLY_FULFILLED,
            user=user,
        )
        get_plugins_manager().order_fulfilled(
            order_payload(
                order, lines=list(lines.values()), tracking_number=tracking_number
            ),
        )
    return fulfillment


def refund_order(
    order: Order, user=None, amount: Decimal | None = None, note: str = ""
) -> Payment:
    """Refunds ``amount`` (default: everything still refundable) of the order's
    captured payment; a full refund marks the order refunded."""
    payment = order.payments.filter(captured_amount__gt=0).order_by("-id").first()
    if payment is None:
        raise OrderError("not_paid", "The order has no captured payment to refund.")
    # The default is resolved here so the event names the amount; the payment
    # service re-checks it under the row lock.
    amount = payment.refundable_amount if amount is None else amount
    try:
        payment = payments.refund(payment, amount)
    except payments.PaymentError as error:
        raise OrderError(error.code, error.message) from None
    with transaction.atomic():
        order = _locked(order)
        add_event(
            order, OrderEventType.REFUNDED, user=user, note=note, amount=str(amount)
        )
        if payment.status == PaymentStatus.REFUNDED:
            _set_status(order, OrderStatus.REFUNDED, user=user, note=note)
        get_plugins_manager().order_refunded(
            order_payload(
                order, refunded=_money(payment.refunded_amount, order.currency)
            ),
        )
    return payment


def mark_order_paid(order: Order, user=None) -> Payment:
    """Staff confirm that a manual payment (bank transfer, cash) arrived."""
    payment = order.payments.filter(status=PaymentStatus.PENDING).first()
    if payment is None:
        raise OrderError("not_pending", "The order has no pending payment.")
    try:
        payment = payments.capture(payment)
    except payments.PaymentError as error:
        raise OrderError(error.code, error.message) from None
    with transaction.atomic():
        order = _locked(order)
        add_event(
            order, OrderEventType.MARKED_PAID, user=user, amount=str(payment.amount)
        )
        if order.status == OrderStatus.UNCONFIRMED:
            _set_status(order, OrderStatus.UNFULFILLED, user=user)
        get_plugins_manager().order_paid(order_payload(order))
    return payment


def cancel_abandoned_orders(now=None) -> int:
    """Cancels orders whose checkout died between placing the order and hearing
    from the gateway (a crashed worker, a lost request), so their stock and
    voucher are not held forever. Manual payments are not abandoned: their
    authorization is recorded, pending staff."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    abandoned = Order.objects.filter(
        status=OrderStatus.UNCONFIRMED,
        created_at__lt=cutoff,
        payments__status=PaymentStatus.PENDING,
        payments__transactions__isnull=True,
    ).distinct()
    count = 0
    for order in abandoned:
        if payment_declined(order, "payment_abandoned").status == (
            OrderStatus.CANCELLED
        ):
            count += 1
    return count
