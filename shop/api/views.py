"""The API's own endpoints: its index, the JSON 404 for unknown paths and
JSON 500 for faults under /api/, and the permanent redirects of renamed paths."""

from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.api.errors import ApiErrorCode
from shop.core.errors import error_response

# The index's links: name -> URL name in the "api:v1" namespace.
INDEX = {
    "schema": "schema",
    "docs": "docs",
    "categories": "category-list",
    "products": "product-list",
    "collections": "collection-list",
    "cart": "cart",
    "checkouts": "checkouts",
    "orders": "order-list",
    "register": "register",
    "token": "token",
    "session": "session",
    "me": "me",
    "recommendations_popular": "recommendations-popular",
    "recommendations_for_me": "recommendations-for-me",
    "events": "events",
}


class Index(APIView):
    authentication_classes = []

    @extend_schema(
        summary="Where everything is",
        description="Absolute links to the schema, the docs and the top-level "
        "resources.",
        responses={
            200: inline_serializer(
                "ApiIndex",
                {name: serializers.URLField() for name in INDEX},
            )
        },
    )
    def get(self, request):
        return Response(
            {
                name: request.build_absolute_uri(reverse(f"api:v1:{url_name}"))
                for name, url_name in INDEX.items()
            }
        )


# Exempt: they change nothing, and a POST must get its JSON answer, not a CSRF page.
@csrf_exempt
def not_found(request, path=""):
    """Any path under /api/ that names nothing: a JSON 404, not an HTML page."""
    message = "No endpoint at this path."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            message += f" Did you mean {request.path}/ ? Every path ends with a slash."
    return error_response(404, ApiErrorCode.NOT_FOUND, message)


def moved(url_name: str):
    """A view answering 308 (method and body kept) to the named URL, for paths
    renamed in this version; they go in the next."""

    @csrf_exempt
    def redirect(request, **kwargs):
        target = reverse(f"api:v1:{url_name}", kwargs=kwargs)
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(target, preserve_request=True)

    return redirect


def server_error(request):
    """The project's 500 handler: the error body under /api/, the active
    theme's 500.html elsewhere (never Django's debug page: DEBUG is off)."""
    if request.path.startswith("/api/"):
        return error_response(
            500, ApiErrorCode.SERVER_ERROR, "Something went wrong on our side."
        )
    return defaults.server_error(request)
