import pytest

pytestmark = pytest.mark.django_db


def test_account_and_cart_endpoints_are_in_the_schema(client):
    schema = client.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()

    paths = {path: set(item) for path, item in schema["paths"].items()}
    assert {
        path: methods
        for path, methods in paths.items()
        if path.startswith(("/api/v1/auth/", "/api/v1/account/", "/api/v1/cart/"))
        and not path.startswith("/api/v1/account/orders")
    } == {
        "/api/v1/auth/register/": {"post"},
        "/api/v1/auth/session/": {"get", "post", "delete"},
        "/api/v1/auth/token/": {"post", "delete"},
        "/api/v1/auth/password-reset/": {"post"},
        "/api/v1/auth/password-reset/confirm/": {"post"},
        "/api/v1/account/me/": {"get", "patch"},
        "/api/v1/account/password/": {"post"},
        "/api/v1/account/addresses/": {"get", "post"},
        "/api/v1/account/addresses/{id}/": {"get", "put", "patch", "delete"},
        "/api/v1/cart/": {"get", "post", "delete"},
        "/api/v1/cart/lines/": {"post"},
        "/api/v1/cart/lines/{line_id}/": {"patch", "delete"},
    }
    address_id = schema["paths"]["/api/v1/account/addresses/{id}/"]["get"][
        "parameters"
    ][0]
    assert address_id["schema"]["type"] == "integer"
