"""Talking to the payment gateway plugins and recording what they answered.

The gateway is always called outside any transaction (no row lock is held over
a network call); the answer is then recorded in a short transaction that locks
the payment row.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import TextChoices

from shop.core.errors import ServiceError
from shop.payments.models import (
    CAPTURABLE,
    Payment,
    PaymentStatus,
    PaymentTransaction,
)
from shop.plugins.manager import PluginError, PluginsManager, get_plugins_manager
from shop.plugins.types import GatewayResponse, Money, PaymentData, TransactionKind

GATEWAY_HOOKS = {
    TransactionKind.AUTHORIZE: PluginsManager.authorize_payment,
    TransactionKind.CAPTURE: PluginsManager.capture_payment,
    TransactionKind.REFUND: PluginsManager.refund_payment,
    TransactionKind.VOID: PluginsManager.void_payment,
}


class PaymentErrorCode(TextChoices):
    AUTHORIZE_FAILED = "authorize_failed", "The gateway declined the payment."
    CAPTURE_FAILED = "capture_failed", "The gateway declined the capture."
    VOID_FAILED = "void_failed", "The gateway declined voiding the payment."
    REFUND_FAILED = "refund_failed", "The gateway declined the refund."
    NOT_CAPTURABLE = "not_capturable", "The payment cannot be captured in its status."
    NOT_VOIDABLE = "not_voidable", "The payment cannot be voided in its status."
    INVALID_CAPTURE_AMOUNT = (
        "invalid_capture_amount",
        "The amount is not above 0 and within what is left to capture.",
    )
    INVALID_REFUND_AMOUNT = (
        "invalid_refund_amount",
        "The amount is not above 0 and within what is left to refund.",
    )
    NOTHING_TO_CAPTURE = "nothing_to_capture", "The whole authorization is captured."
    NOTHING_TO_REFUND = "nothing_to_refund", "Everything captured is refunded."


class PaymentError(ServiceError):
    codes = PaymentErrorCode


def call_gateway(
    kind: TransactionKind, payment: Payment, amount: Decimal, token: str = ""
) -> GatewayResponse:
    """Asks the payment's gateway plugin; a missing or broken plugin is a failed
    answer, never an exception."""
    data = PaymentData(
        gateway=payment.gateway,
        amount=Money(amount, payment.currency),
        payment_id=payment.pk,
        token=token,
        transaction_id=payment.transaction_id,
        customer_email=payment.order.email,
    )
    try:
        response = GATEWAY_HOOKS[kind](get_plugins_manager(), data)
    except PluginError as error:
        response = GatewayResponse(kind, False, data.amount, error=str(error)[:255])
    if response is None:
        response = GatewayResponse(kind, False, data.amount, error="no_gateway")
    return response


def _record(payment: Payment, response: GatewayResponse) -> PaymentTransaction:
    return PaymentTransaction.objects.create(
        payment=payment,
        kind=response.kind,
        is_success=response.is_success,
        amount=response.amount.amount,
        transaction_id=response.transaction_id,
        error=response.error[:255],
        raw_response=response.raw_response,
    )


def _locked(payment: Payment) -> Payment:
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    locked.order = payment.order
    return locked


def authorize(payment: Payment, token: str) -> tuple[Payment, GatewayResponse]:
    """Authorizes (or, for an auto-capturing gateway, captures) the full amount."""
    response = call_gateway(TransactionKind.AUTHORIZE, payment, payment.amount, token)
    with transaction.atomic():
        payment = _locked(payment)
        _record(payment, response)
        if not response.is_success:
            payment.status = PaymentStatus.FAILED
        elif response.is_pending:
            payment.status = PaymentStatus.PENDING
            payment.transaction_id = response.transaction_id
        elif response.kind == TransactionKind.CAPTURE:
            payment.status = PaymentStatus.CAPTURED
            payment.captured_amount = payment.amount
            payment.transaction_id = response.transaction_id
        else:
            payment.status = PaymentStatus.AUTHORIZED
            payment.transaction_id = response.transaction_id
        payment.save(
            update_fields=["status", "captured_amount", "transaction_id", "updated_at"]
        )
    return payment, response


def _settle(payment: Payment, response: GatewayResponse, **changes) -> Payment:
    """Records the answer; on success applies ``changes`` to the payment, on
    failure raises PaymentError (the failed attempt stays recorded)."""
    with transaction.atomic():
        payment = _locked(payment)
        _record(payment, response)
        if response.is_success:
            for name, value in changes.items():
                setattr(payment, name, value)
            payment.save(update_fields=[*changes, "updated_at"])
    if not response.is_success:
        raise PaymentError(f"{response.kind}_failed", response.error or "Declined.")
    return payment


def _reserve(
    payment: Payment, field: str, left: str, what: str, amount: Decimal | None
) -> tuple[Payment, Decimal]:
    """Adds ``amount`` (default: all that is left) to the in-flight ``field``
    under the row lock, after checking it against the amount ``left`` (a
    property), so concurrent requests never take more than there is."""
    with transaction.atomic():
        locked = _locked(payment)
        available = getattr(locked, left)
        if available <= 0:
            raise PaymentError(f"nothing_to_{what}", f"Nothing is left to {what}.")
        amount = available if amount is None else amount
        if amount <= 0 or amount > available:
            raise PaymentError(
                f"invalid_{what}_amount",
                f"{what.capitalize()} must be above 0 and at most {available} "
                f"{locked.currency}.",
                "amount",
            )
        setattr(locked, field, getattr(locked, field) + amount)
        locked.save(update_fields=[field, "updated_at"])
    return locked, amount


def capture(payment: Payment, amount: Decimal | None = None) -> Payment:
    """Takes ``amount`` (default: all that is still authorized) of an authorized
    or pending manual payment; partial captures add up to at most the amount.

    Like a refund, the amount is reserved under the row lock before the gateway
    is called and given back if it declines, so concurrent captures never
    exceed the authorization.
    """
    if payment.status not in CAPTURABLE:
        raise PaymentError("not_capturable", f"The payment is {payment.status}.")
    locked, amount = _reserve(
        payment, "capturing_amount", "capturable_amount", "capture", amount
    )
    response = call_gateway(TransactionKind.CAPTURE, locked, amount)
    with transaction.atomic():
        payment = _locked(payment)
        _record(payment, response)
        payment.capturing_amount -= amount
        if response.is_success:
            payment.captured_amount += amount
            payment.status = (
                PaymentStatus.CAPTURED
                if payment.captured_amount == payment.amount
                else PaymentStatus.PARTIALLY_CAPTURED
            )
        payment.save(
            update_fields=[
                "capturing_amount",
                "captured_amount",
                "status",
                "updated_at",
            ]
        )
    if not response.is_success:
        raise PaymentError("capture_failed", response.error or "Declined.")
    return payment


def void(payment: Payment) -> Payment:
    """Releases what is still authorized (all of it, or the rest after partial
    captures; what was captured is refunded separately)."""
    if payment.status not in CAPTURABLE:
        raise PaymentError("not_voidable", f"The payment is {payment.status}.")
    response = call_gateway(TransactionKind.VOID, payment, payment.amount)
    return _settle(payment, response, status=PaymentStatus.VOIDED)


def refund(payment: Payment, amount: Decimal | None = None) -> Payment:
    """Gives back ``amount`` (default: all that is left) of what was captured.

    The amount is reserved under the row lock before the gateway is called and
    given back if it declines, so concurrent refunds never exceed the capture.
    """
    locked, amount = _reserve(
        payment, "refunded_amount", "refundable_amount", "refund", amount
    )
    response = call_gateway(TransactionKind.REFUND, locked, amount)
    with transaction.atomic():
        payment = _locked(payment)
        _record(payment, response)
        if not response.is_success:
            payment.refunded_amount -= amount
            payment.save(update_fields=["refunded_amount", "updated_at"])
        else:
            payment.status = (
                PaymentStatus.REFUNDED
                if payment.refunded_amount == payment.captured_amount
                else PaymentStatus.PARTIALLY_REFUNDED
            )
            payment.save(update_fields=["status", "updated_at"])
    if not response.is_success:
        raise PaymentError("refund_failed", response.error or "Declined.")
    return payment
