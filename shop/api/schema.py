"""drf-spectacular hooks and extensions of the public API's schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from shop.api.errors import STATUS, ApiErrorCode, describe

ERROR_SCHEMA = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def public_api_only(endpoints, **kwargs):
    """Keep the versioned public API; Wagtail's internal admin API is not ours."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v")]


def _add_error(responses: dict, code: ApiErrorCode) -> None:
    status = str(STATUS[code])
    response = responses.get(status)
    if response is None:
        responses[status] = {"description": describe([code]), "content": ERROR_SCHEMA}
    elif f"`{code}`" not in response["description"]:
        response["description"] += "\n" + describe([code])


def document_common_errors(result, generator, request, public):
    """Lists on every operation the refusals the framework makes for it (bad
    input, bad credentials, no such resource), beside those it declares."""
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if "requestBody" in operation:
                _add_error(responses, ApiErrorCode.INVALID)
                _add_error(responses, ApiErrorCode.PARSE_ERROR)
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                _add_error(responses, ApiErrorCode.INVALID)
            if "{" in path:
                _add_error(responses, ApiErrorCode.NOT_FOUND)
            security = operation.get("security", [])
            if any("bearerAuth" in scheme for scheme in security):
                _add_error(responses, ApiErrorCode.AUTHENTICATION_FAILED)
                if {} not in security:
                    _add_error(responses, ApiErrorCode.NOT_AUTHENTICATED)
            if method != "get" and any("cookieAuth" in s for s in security):
                _add_error(responses, ApiErrorCode.PERMISSION_DENIED)
            operation["responses"] = dict(sorted(responses.items()))
    return result


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "shop.api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The API token from `POST /api/v1/auth/token/`, sent "
            "as `Authorization: Bearer <token>` (`Token <token>` works too).",
        }
