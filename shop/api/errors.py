"""One error body for every API failure: {"error": {"code", "message", "fields"}}.

`fields` (the per-parameter messages) is present on validation errors only.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    # Django's own exceptions get the code of their DRF counterparts.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    code = getattr(exc, "default_code", "error")
    if hasattr(exc, "get_codes") and isinstance(exc.get_codes(), str):
        code = exc.get_codes()
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        body = {"code": code, "message": str(detail["detail"])}
    else:
        body = {"code": code, "message": "Invalid input.", "fields": detail}
    response.data = {"error": body}
    return response


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"
    default_detail = "The request body is larger than this server accepts."


class ClientError(exceptions.APIException):
    """A refusal with its own code, e.g. from a service error: a message, or a
    message about one field (then under `fields`)."""

    def __init__(self, code: str, message: str, status_code=400, field=None):
        super().__init__({field: [message]} if field else message, code)
        self.status_code = status_code
        # The handler takes the code from here when the detail is per field.
        self.default_code = code


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ErrorSerializer(serializers.Serializer):
    """The error body, for the API schema."""

    error = ErrorDetailSerializer()


def error_response(status: int, code: str, message: str, fields=None) -> JsonResponse:
    """The error body for answers given before a DRF view runs (middleware)."""
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return JsonResponse({"error": body}, status=status)
