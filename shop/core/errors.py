"""The one error type of the shop's services.

Every domain error derives from ServiceError and lists its codes in a
TextChoices enum (`codes`; the label says what the code means). Services never
speak HTTP: the API maps each code to a status in one table
(shop.api.errors.STATUS) and its exception handler writes the response, so
views let these errors propagate.
"""

from django.db.models import TextChoices
from django.http import JsonResponse


class ServiceError(Exception):
    """A service refused what it was asked; nothing was written.

    `field` names the input the refusal is about, if one; `detail` carries
    structured facts a client can act on (e.g. the stock short per variant).
    """

    codes: type[TextChoices]

    def __init__(
        self, code: str, message: str, field: str | None = None, *, detail=None
    ):
        super().__init__(message)
        # An unknown code is a programming error, caught here rather than as
        # a status missing from the table.
        self.code = self.codes(code)
        self.message = message
        self.field = field
        self.detail = detail


def service_error_classes() -> list[type[ServiceError]]:
    """Every ServiceError subclass that declares codes (imported ones only)."""
    found, pending = [], [ServiceError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "codes" in vars(cls):
            found.append(cls)
    return found


def error_body(code: str, message: str, fields=None, detail=None) -> dict:
    """The API's one error body (see shop.api.errors)."""
    return {
        "error": {
            "code": str(code),
            "message": message,
            "fields": fields or {},
            "detail": detail,
        }
    }


def error_response(status: int, code: str, message: str, fields=None) -> JsonResponse:
    """The error body for answers given outside DRF's views (middleware, the
    API's URL fallbacks)."""
    return JsonResponse(error_body(code, message, fields), status=status)
