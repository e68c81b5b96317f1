"""Every API failure, one body: {"error": {"code", "message", "fields", "detail"}}.

- `code`: stable and machine-readable; STATUS below is the one table that
  gives each code its HTTP status, for service errors (shop.core.errors) and
  for the framework's own refusals alike.
- `message`: for people.
- `fields`: {input name: [messages]}; nested inputs are dotted
  (`shipping_address.country`, `events[2].product`); empty when no input is
  at fault.
- `detail`: structured facts a client can act on (the stock short per
  variant, why a payment was declined), else null.

Views never catch service errors: the exception handler here turns them (and
DRF's and Django's own exceptions) into responses.
"""

import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import TextChoices
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from cms.services.reviews import ReviewErrorCode
from shop.accounts.services import AccountErrorCode
from shop.cart.services import CartErrorCode
from shop.checkout.services import CheckoutErrorCode
from shop.core.errors import ServiceError
from shop.discounts.services import VoucherErrorCode
from shop.orders.services import OrderErrorCode
from shop.payments.services import PaymentErrorCode
from shop.stock.services import StockErrorCode


class ApiErrorCode(TextChoices):
    """The refusals of the HTTP layer itself (DRF's codes)."""

    INVALID = "invalid", "Invalid input; `fields` says which and why."
    PARSE_ERROR = "parse_error", "The body is not well-formed JSON."
    NOT_AUTHENTICATED = "not_authenticated", "Credentials are required."
    AUTHENTICATION_FAILED = (
        "authentication_failed",
        "The token (or session) is not valid.",
    )
    PERMISSION_DENIED = (
        "permission_denied",
        "Not allowed: a staff action, or a write carrying cookies without the "
        "CSRF token.",
    )
    NOT_FOUND = "not_found", "No such resource (or not yours), or no such page."
    METHOD_NOT_ALLOWED = "method_not_allowed", "The path does not take this method."
    NOT_ACCEPTABLE = "not_acceptable", "No answer in the media type asked for."
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        "Send the body as application/json.",
    )
    THROTTLED = "throttled", "Too many requests; `detail.retry_after` in seconds."
    SERVER_ERROR = "server_error", "A fault on the server; retrying may help."


# The refusals every operation with a JSON body can answer, and every one that
# needs a signed-in user.
BODY_ERRORS = (ApiErrorCode.INVALID, ApiErrorCode.PARSE_ERROR)
SIGNED_IN = (ApiErrorCode.NOT_AUTHENTICATED, ApiErrorCode.AUTHENTICATION_FAILED)

STATUS: dict[str, int] = {
    ApiErrorCode.INVALID: 400,
    ApiErrorCode.PARSE_ERROR: 400,
    ApiErrorCode.NOT_AUTHENTICATED: 401,
    ApiErrorCode.AUTHENTICATION_FAILED: 401,
    ApiErrorCode.PERMISSION_DENIED: 403,
    ApiErrorCode.NOT_FOUND: 404,
    ApiErrorCode.METHOD_NOT_ALLOWED: 405,
    ApiErrorCode.NOT_ACCEPTABLE: 406,
    ApiErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ApiErrorCode.THROTTLED: 429,
    ApiErrorCode.SERVER_ERROR: 500,
    AccountErrorCode.INVALID_CREDENTIALS: 400,
    AccountErrorCode.EMAIL_TAKEN: 400,
    AccountErrorCode.INVALID_PASSWORD: 400,
    AccountErrorCode.WRONG_PASSWORD: 400,
    AccountErrorCode.INVALID_TOKEN: 400,
    AccountErrorCode.TOO_MANY_ADDRESSES: 409,
    CartErrorCode.VARIANT_NOT_FOUND: 400,
    CartErrorCode.QUANTITY_OUT_OF_RANGE: 400,
    CartErrorCode.VARIANT_UNAVAILABLE: 409,
    CartErrorCode.INSUFFICIENT_STOCK: 409,
    CartErrorCode.CURRENCY_MISMATCH: 409,
    CartErrorCode.LINE_NOT_FOUND: 404,
    CartErrorCode.CART_NOT_FOUND: 404,
    CheckoutErrorCode.CART_EMPTY: 400,
    CheckoutErrorCode.CHECKOUT_COMPLETED: 409,
    CheckoutErrorCode.EMAIL_REQUIRED: 400,
    CheckoutErrorCode.SHIPPING_ADDRESS_REQUIRED: 400,
    CheckoutErrorCode.BILLING_ADDRESS_REQUIRED: 400,
    CheckoutErrorCode.SHIPPING_METHOD_REQUIRED: 400,
    CheckoutErrorCode.INVALID_SHIPPING_METHOD: 400,
    CheckoutErrorCode.INVALID_GATEWAY: 400,
    CheckoutErrorCode.IDEMPOTENCY_KEY_REQUIRED: 400,
    CheckoutErrorCode.PAYMENT_DECLINED: 402,
    VoucherErrorCode.VOUCHER_NOT_FOUND: 400,
    VoucherErrorCode.VOUCHER_INACTIVE: 409,
    VoucherErrorCode.VOUCHER_NOT_STARTED: 409,
    VoucherErrorCode.VOUCHER_EXPIRED: 409,
    VoucherErrorCode.VOUCHER_USAGE_LIMIT_REACHED: 409,
    VoucherErrorCode.VOUCHER_CUSTOMER_LIMIT_REACHED: 409,
    VoucherErrorCode.VOUCHER_CURRENCY_MISMATCH: 409,
    VoucherErrorCode.VOUCHER_MIN_ORDER_NOT_MET: 409,
    VoucherErrorCode.VOUCHER_NOT_APPLICABLE: 409,
    StockErrorCode.INSUFFICIENT_STOCK: 409,
    OrderErrorCode.NOT_CANCELLABLE: 409,
    OrderErrorCode.NOT_FULFILLABLE: 409,
    OrderErrorCode.INVALID_QUANTITY: 400,
    OrderErrorCode.NOTHING_TO_FULFIL: 409,
    OrderErrorCode.NOT_PAID: 409,
    OrderErrorCode.NOT_PENDING: 409,
    PaymentErrorCode.AUTHORIZE_FAILED: 402,
    PaymentErrorCode.CAPTURE_FAILED: 402,
    PaymentErrorCode.VOID_FAILED: 402,
    PaymentErrorCode.REFUND_FAILED: 402,
    PaymentErrorCode.NOT_CAPTURABLE: 409,
    PaymentErrorCode.NOT_VOIDABLE: 409,
    PaymentErrorCode.INVALID_REFUND_AMOUNT: 400,
    ReviewErrorCode.ALREADY_REVIEWED: 409,
}


def error_body(code: str, message: str, fields=None, detail=None) -> dict:
    return {
        "error": {
            "code": str(code),
            "message": message,
            "fields": fields or {},
            "detail": detail,
        }
    }


def _key(prefix: str, name) -> str:
    if isinstance(name, int):  # a list item
        return f"{prefix}[{name}]"
    if name == api_settings.NON_FIELD_ERRORS_KEY and prefix:
        return prefix
    return f"{prefix}.{name}" if prefix else str(name)


def flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as {"events[2].product": [...]}; a bare list
    of messages is about no one field (`non_field_errors`)."""
    if isinstance(errors, dict):
        flat = {}
        for name, value in errors.items():
            flat.update(flatten(value, _key(prefix, name)))
        return flat
    if isinstance(errors, list) and any(isinstance(e, dict | list) for e in errors):
        flat = {}
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten(value, _key(prefix, index)))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in messages]}


def _from_api_exception(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        return error_body(ApiErrorCode.INVALID, "Invalid input.", flatten(exc.detail))
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    detail = None
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        detail = {"retry_after": math.ceil(exc.wait)}
    return error_body(code, str(exc.detail), detail=detail)


def exception_handler(exc, context):
    """The project's DRF exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
    if isinstance(exc, ServiceError):
        fields = {exc.field: [exc.message]} if exc.field else None
        set_rollback()
        return Response(
            error_body(exc.code, exc.message, fields, exc.detail),
            status=STATUS[exc.code],
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))
    set_rollback()
    return Response(_from_api_exception(exc), exc.status_code, headers=headers)


# Schema ---------------------------------------------------------------------


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable and machine-readable; the operation lists its codes."
    )
    message = serializers.CharField(help_text="For people; may change.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input (dotted for nested inputs); empty when no "
        "input is at fault.",
    )
    detail = serializers.JSONField(
        allow_null=True, help_text="Structured facts about the error, or null."
    )


class ErrorSerializer(serializers.Serializer):
    """The error body of every API failure."""

    error = ErrorBodySerializer()


class ShortageSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField()
    requested = serializers.IntegerField(help_text="Units the checkout holds.")
    available = serializers.IntegerField(
        help_text="Units that can be sold now (0: not for sale)."
    )


class ShortagesSerializer(serializers.Serializer):
    variants = ShortageSerializer(many=True)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="The gateway's reason, if it gave one.")
    order = serializers.IntegerField(help_text="The cancelled order's id.")


class RetryAfterSerializer(serializers.Serializer):
    retry_after = serializers.IntegerField(help_text="Seconds until a retry.")


def _envelope(name: str, detail: type[serializers.Serializer]):
    body = type(
        f"{name}BodySerializer",
        (ErrorBodySerializer,),
        {"detail": detail(allow_null=True, help_text=detail.__doc__ or "")},
    )
    return type(f"{name}Serializer", (serializers.Serializer,), {"error": body()})


# The codes whose `detail` has a fixed shape, and the error body it makes.
_STOCK_ERROR = _envelope("StockError", ShortagesSerializer)
DETAILED = {
    StockErrorCode.INSUFFICIENT_STOCK: _STOCK_ERROR,
    CheckoutErrorCode.VARIANT_UNAVAILABLE: _STOCK_ERROR,
    CheckoutErrorCode.PAYMENT_DECLINED: _envelope(
        "PaymentDeclinedError", DeclineSerializer
    ),
    ApiErrorCode.THROTTLED: _envelope("ThrottledError", RetryAfterSerializer),
}


def describe(codes) -> str:
    return "\n".join(f"- `{code}`: {code.label}" for code in codes)


def error_responses(*codes) -> dict[int, OpenApiResponse]:
    """The error responses of an operation, by status, each listing its codes
    (for extend_schema(responses=...)); statuses come from STATUS."""
    by_status: dict[int, list] = {}
    for code in codes:
        by_status.setdefault(STATUS[code], []).append(code)
    responses = {}
    for status, found in sorted(by_status.items()):
        shapes = {DETAILED[code] for code in found if code in DETAILED}
        serializer = shapes.pop() if len(shapes) == 1 else ErrorSerializer
        responses[status] = OpenApiResponse(serializer, description=describe(found))
    return responses
