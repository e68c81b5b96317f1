"""What happens to an order after it is placed: payment outcome, capture,
fulfilment, refunds, cancellation. Used by the REST API and the Wagtail admin
alike.

An order is only announced (``order_created``: confirmation email, webhooks)
once its payment is authorized, captured or accepted by the manual gateway; a
declined one becomes a failed checkout attempt nobody downstream hears of.

Each change locks the order row, checks the status it starts from, records an
OrderEvent and tells the plugins in the same transaction; gateway calls happen
outside it.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from prices import Money

from shop.core.errors import ServiceError
from shop.core.money import money_json
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
# Staff capture card authorizations; a manual payment is marked paid instead.
CAPTURABLE = (PaymentStatus.AUTHORIZED, PaymentStatus.PARTIALLY_CAPTURED)
# Orders nobody may be charged for any more (a void that failed leaves the
# authorization in place).
UNCHARGEABLE = (OrderStatus.CANCELLED, OrderStatus.FAILED)


class OrderErrorCode(TextChoices):
    NOT_CANCELLABLE = "not_cancellable", "The order is shipped or already closed."
    NOT_FULFILLABLE = "not_fulfillable", "The order cannot be shipped in its status."
    INVALID_QUANTITY = (
        "invalid_quantity",
        "A line is unknown or has fewer units left to ship.",
    )
    NOTHING_TO_FULFIL = "nothing_to_fulfil", "Every line is shipped already."
    NOT_PAID = "not_paid", "The order has no captured payment to refund."
    NOT_PENDING = "not_pending", "The order has no pending payment."
    NOT_CAPTURABLE = (
        "not_capturable",
        "The order is closed or has no authorized payment to capture.",
    )


class OrderError(ServiceError):
    codes = OrderErrorCode


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
                "unit_price": money_json(Money(line.unit_price_gross, order.currency)),
                "total": money_json(Money(line.total_gross, order.currency)),
            }
            for line in lines
        ],
        "subtotal": money_json(Money(order.subtotal_gross, order.currency)),
        "shipping": money_json(Money(order.shipping_gross, order.currency)),
        "discount": money_json(Money(order.discount_amount, order.currency)),
        "voucher_code": order.voucher_code,
        "taxes": money_json(Money(order.taxes, order.currency)),
        "total": money_json(Money(order.total_gross, order.currency)),
        **extra,
    }


def _event(order: Order, type: str, *, user=None, note: str = "", **data):
    return OrderEvent(order=order, type=type, user=user, note=note[:1000], data=data)


def add_event(order: Order, type: str, *, user=None, note: str = "", **data):
    event = _event(order, type, user=user, note=note, **data)
    event.save()
    return event


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _set_status(
    order: Order, status: str, user=None, note: str = "", *, after=None
) -> None:
    """Changes the status and records it, after the unsaved event ``after``
    if given (one insert for both: the checkout's hot path counts queries)."""
    previous = order.status
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    changed = _event(
        order,
        OrderEventType.STATUS_CHANGED,
        user=user,
        note=note,
        previous=previous,
        status=status,
    )
    OrderEvent.objects.bulk_create([after, changed] if after else [changed])


def _unfulfilled(order: Order, lines=None) -> dict[int, int]:
    quantities: dict[int, int] = {}
    for line in order.lines.all() if lines is None else lines:
        if line.variant_id is not None and line.quantity_unfulfilled:
            quantities[line.variant_id] = (
                quantities.get(line.variant_id, 0) + line.quantity_unfulfilled
            )
    return quantities


def _release_voucher(order: Order) -> None:
    if order.voucher_id is not None:
        release_voucher(order.voucher_id, order.pk)


def payment_succeeded(order: Order, payment: Payment) -> Order:
    """The checkout's payment went through (or the manual gateway accepted it):
    the order is placed for everyone downstream, in this transaction (the
    webhooks outbox row is written here, the email goes after commit)."""
    with transaction.atomic():
        order = _locked(order)
        if order.status == OrderStatus.FAILED:
            # Swept as abandoned while the gateway was answering: the caller
            # voids the payment.
            return order
        if payment.status == PaymentStatus.PENDING:
            add_event(order, OrderEventType.PLACED, note="Awaiting manual payment.")
        else:
            kind = (
                OrderEventType.PAYMENT_CAPTURED
                if payment.status == PaymentStatus.CAPTURED
                else OrderEventType.PAYMENT_AUTHORIZED
            )
            _set_status(
                order,
                OrderStatus.UNFULFILLED,
                after=_event(
                    order, kind, amount=str(payment.amount), gateway=payment.gateway
                ),
            )
        manager = get_plugins_manager()
        lines = list(order.lines.all())
        manager.order_created(order_payload(order, lines=lines))
        if payment.status == PaymentStatus.CAPTURED:
            manager.order_paid(order_payload(order, lines=lines))
    return order


def payment_declined(order: Order, error: str) -> Order:
    """The checkout's payment was declined, errored or never answered: the
    order becomes a failed checkout attempt, kept with its payment record;
    nothing of it stays reserved (stock, voucher use) and, as it was never
    announced, nobody is told."""
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
        _set_status(order, OrderStatus.FAILED, note="Payment declined.")
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
            if payment.capturable_amount > 0:
                payment = payments.void(payment)
            if payment.refundable_amount > 0:
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
        # A manual payment is captured when staff mark it paid.
        if not order.payments.filter(captured_amount__gt=0).exists():
            raise OrderError(
                "not_paid",
                "Nothing of the payment is captured yet: capture it (or mark a "
                "manual payment paid) before shipping.",
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


def capture_order(order: Order, user=None, amount: Decimal | None = None) -> Payment:
    """Takes ``amount`` (default: all that is still authorized) of the order's
    authorized payment; once all of it is taken the order is paid."""
    order.refresh_from_db(fields=["status"])
    if order.status in UNCHARGEABLE:
        raise OrderError(
            "not_capturable", f"An order that is {order.status} cannot be charged."
        )
    payment = order.payments.filter(status__in=CAPTURABLE).order_by("-id").first()
    if payment is None:
        raise OrderError(
            "not_capturable", "The order has no authorized payment to capture."
        )
    # Resolved here so the event names the amount; the payment service
    # re-checks it under the row lock.
    amount = payment.capturable_amount if amount is None else amount
    payment = payments.capture(payment, amount)
    with transaction.atomic():
        order = _locked(order)
        add_event(
            order,
            OrderEventType.PAYMENT_CAPTURED,
            user=user,
            amount=str(amount),
            captured=str(payment.captured_amount),
        )
        if payment.status == PaymentStatus.CAPTURED:
            get_plugins_manager().order_paid(order_payload(order))
    return payment


def refund_order(
    order: Order,
    user=None,
    amount: Decimal | None = None,
    note: str = "",
    restock: bool = False,
) -> Payment:
    """Refunds ``amount`` (default: everything still refundable) of the order's
    captured payment; ``restock`` puts the shipped units back on hand (they
    came back). A full refund marks the order refunded and gives back the
    allocation of what was never shipped."""
    payment = order.payments.filter(captured_amount__gt=0).order_by("-id").first()
    if payment is None:
        raise OrderError("not_paid", "The order has no captured payment to refund.")
    # The default is resolved here so the event names the amount; the payment
    # service re-checks it under the row lock.
    amount = payment.refundable_amount if amount is None else amount
    payment = payments.refund(payment, amount)
    with transaction.atomic():
        order = _locked(order)
        lines = list(order.lines.all())
        restocked = _restock(lines) if restock else {}
        add_event(
            order,
            OrderEventType.REFUNDED,
            user=user,
            note=note,
            amount=str(amount),
            restocked=restocked,
        )
        if payment.status == PaymentStatus.REFUNDED:
            stock.release(_unfulfilled(order, lines))
            _set_status(order, OrderStatus.REFUNDED, user=user, note=note)
        get_plugins_manager().order_refunded(
            order_payload(
                order,
                lines=lines,
                refunded=money_json(Money(payment.refunded_amount, order.currency)),
            ),
        )
    return payment


def _restock(lines: list[OrderLine]) -> dict[str, int]:
    """Puts every shipped unit not restocked yet back on hand; returns
    ``{order line id: units}``."""
    restocked = {line: line.quantity_restockable for line in lines}
    restocked = {line: units for line, units in restocked.items() if units}
    quantities: dict[int, int] = {}
    for line, units in restocked.items():
        line.quantity_restocked += units
        if line.variant_id is not None:
            quantities[line.variant_id] = quantities.get(line.variant_id, 0) + units
    stock.restock(quantities)
    OrderLine.objects.bulk_update(list(restocked), ["quantity_restocked"])
    return {str(line.pk): units for line, units in restocked.items()}


def mark_order_paid(order: Order, user=None) -> Payment:
    """Staff confirm that a manual payment (bank transfer, cash) arrived."""
    payment = order.payments.filter(status=PaymentStatus.PENDING).first()
    if payment is None:
        raise OrderError("not_pending", "The order has no pending payment.")
    payment = payments.capture(payment)
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
    """Fails orders whose checkout died between placing the order and hearing
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
        if payment_declined(order, "payment_abandoned").status == (OrderStatus.FAILED):
            count += 1
    return count
