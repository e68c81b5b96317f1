"""One error body for every API failure: {"error": {"code", "message", "fields"}}."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
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
