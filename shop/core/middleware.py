"""Request guards that hold for every view: storefront, admin and API alike."""

import re

from django.core.exceptions import BadRequest

from shop.core.errors import error_response

# A percent sign not starting a two-digit hex escape; Django would keep it as is.
_BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def query_string_problems(request) -> dict[str, list[str]]:
    """The query parameters no view should see, with why: NUL bytes (no database
    column stores them) and broken percent escapes (no client sends them)."""
    problems = {}
    for pair in request.META.get("QUERY_STRING", "").split("&"):
        if _BROKEN_ESCAPE.search(pair):
            name = pair.split("=", 1)[0] or "?"
            problems[name] = ["Contains a % that is not a percent escape."]
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            problems[name.replace("\x00", "\\x00")] = ["Contains a NUL byte."]
    return problems


class QueryStringGuardMiddleware:
    """Refuses query strings with NUL bytes or broken escapes with a 400, once for
    every filter and page, before any of them reads its parameters."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problems = query_string_problems(request)
        if not problems:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return error_response(
                400, "invalid_query", "Invalid query string.", fields=problems
            )
        raise BadRequest("Invalid query string.")
