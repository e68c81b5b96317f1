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

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import TextChoices
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from shop.core.errors import ServiceError, error_body


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
    INVALID_QUERY = (
        "invalid_query",
        "The query string has NUL bytes or broken percent escapes.",
    )
    PAYLOAD_TOO_LARGE = (
        "payload_too_large",
        "The body is larger than this server accepts.",
    )
    THROTTLED = "throttled", "Too many requests; `detail.retry_after` in seconds."
    SERVER_ERROR = "server_error", "A fault on the server; retrying may help."


# The refusals every operation with a JSON body can answer, and every one that
# needs a signed-in user.
BODY_ERRORS = (ApiErrorCode.INVALID, ApiErrorCode.PARSE_ERROR)
SIGNED_IN = (ApiErrorCode.NOT_AUTHENTICATED, ApiErrorCode.AUTHENTICATION_FAILED)

# Keyed by the code's value: the domains' codes (their TextChoices in each
# services module) are equal to their strings, and this module, at the bottom
# of the app layers, imports none of them. A test checks that every declared
# code is here.
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
    ApiErrorCode.INVALID_QUERY: 400,
    ApiErrorCode.PAYLOAD_TOO_LARGE: 413,
    ApiErrorCode.THROTTLED: 429,
    ApiErrorCode.SERVER_ERROR: 500,
    # shop.accounts
    "invalid_credentials": 400,
    "invalid_password": 400,
    "wrong_password": 400,
    "invalid_token": 400,
    "too_many_addresses": 409,
    # shop.cart (variant_unavailable and insufficient_stock: also checkout, stock)
    "variant_not_found": 400,
    "quantity_out_of_range": 400,
    "variant_unavailable": 409,
    "insufficient_stock": 409,
    "currency_mismatch": 409,
    "line_not_found": 404,
    "cart_not_found": 404,
    # shop.checkout
    "cart_empty": 400,
    "checkout_completed": 409,
    "email_required": 400,
    "shipping_address_required": 400,
    "billing_address_required": 400,
    "shipping_method_required": 400,
    "invalid_shipping_method": 400,
    "invalid_gateway": 400,
    "idempotency_key_required": 400,
    "payment_declined": 402,
    # shop.discounts
    "voucher_not_found": 400,
    "voucher_inactive": 409,
    "voucher_not_started": 409,
    "voucher_expired": 409,
    "voucher_usage_limit_reached": 409,
    "voucher_customer_limit_reached": 409,
    "voucher_currency_mismatch": 409,
    "voucher_min_order_not_met": 409,
    "voucher_not_applicable": 409,
    # shop.orders
    "not_cancellable": 409,
    "not_fulfillable": 409,
    "invalid_quantity": 400,
    "nothing_to_fulfil": 409,
    "not_paid": 409,
    "not_pending": 409,
    # shop.payments
    "authorize_failed": 402,
    "capture_failed": 402,
    "void_failed": 402,
    "refund_failed": 402,
    "not_capturable": 409,
    "not_voidable": 409,
    "invalid_capture_amount": 400,
    "invalid_refund_amount": 400,
    "nothing_to_capture": 409,
    "nothing_to_refund": 409,
    # cms reviews
    "already_reviewed": 409,
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
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
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


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = ApiErrorCode.PAYLOAD_TOO_LARGE
    default_detail = "The request body is larger than this server accepts."


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
    order = serializers.IntegerField(help_text="The failed order's id.")


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
    "insufficient_stock": _STOCK_ERROR,
    "variant_unavailable": _STOCK_ERROR,
    "payment_declined": _envelope("PaymentDeclinedError", DeclineSerializer),
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
