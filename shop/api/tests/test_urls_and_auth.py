"""One URL style, JSON answers under /api/ whatever the path, and token
authentication under both scheme names."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def error(code, message):
    return {"error": {"code": code, "message": message, "fields": {}, "detail": None}}


def test_the_index_links_to_the_schema_docs_and_collections():
    response = APIClient().get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["schema"] == "http://testserver/api/v1/schema/"
    assert body["docs"] == "http://testserver/api/v1/docs/"
    assert body["products"] == "http://testserver/api/v1/products/"
    assert body["recommendations_popular"] == (
        "http://testserver/api/v1/recommendations/popular/"
    )
    assert all(url.endswith("/") for url in body.values())


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_is_a_json_404(method):
    # CSRF checks on: a browser's POST gets the JSON answer too.
    response = getattr(APIClient(enforce_csrf_checks=True), method)("/api/v2/nothing")

    assert response.status_code == 404
    assert response.json() == error("not_found", "No endpoint at this path.")


def test_a_missing_trailing_slash_is_a_404_that_says_so():
    response = APIClient().get("/api/v1/products")

    assert response.status_code == 404
    assert response.json() == error(
        "not_found",
        "No endpoint at this path. Did you mean /api/v1/products/ ? "
        "Every path ends with a slash.",
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "/api/v1/recommendations/popular?limit=3",
            "/api/v1/recommendations/popular/?limit=3",
        ),
        ("/api/v1/recommendations/for-me", "/api/v1/recommendations/for-me/"),
        ("/api/v1/recommendations/similar/12", "/api/v1/recommendations/similar/12/"),
    ],
)
def test_the_old_slashless_recommendation_paths_answer_308(old, new):
    response = APIClient().get(old)

    assert (response.status_code, response["Location"]) == (308, new)


def test_a_post_to_the_old_events_path_is_redirected_with_its_body():
    response = APIClient(enforce_csrf_checks=True).post(
        "/api/v1/events", {"events": []}, format="json"
    )

    # 308: the client repeats the POST, body included, at the new path.
    assert (response.status_code, response["Location"]) == (308, "/api/v1/events/")


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_the_api_token_works_under_both_scheme_names(scheme):
    user = UserFactory(email="ada@example.com")
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token.key}")

    response = client.get("/api/v1/account/me/")

    assert (response.status_code, response.json()["email"]) == (200, user.email)


@pytest.mark.parametrize(
    ("authorization", "code", "message"),
    [
        (None, "not_authenticated", "Authentication credentials were not provided."),
        ("Bearer nope", "authentication_failed", "Invalid token."),
        ("Token nope", "authentication_failed", "Invalid token."),
        (
            "Bearer",
            "authentication_failed",
            "Invalid token header. No credentials provided.",
        ),
    ],
)
def test_missing_or_bad_credentials_are_a_401_with_a_challenge(
    authorization, code, message
):
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    response = client.get("/api/v1/orders/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == error(code, message)


def test_a_bad_token_is_refused_even_where_anonymous_access_is_allowed():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nope")

    response = client.get("/api/v1/products/")

    # A client with a stale token learns it at once instead of browsing as a
    # stranger.
    assert response.status_code == 401


def test_a_fault_under_api_is_a_json_500(monkeypatch):
    from shop.api import views

    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.Index, "get", broken)
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/v1/")

    assert response.status_code == 500
    assert response.json() == error("server_error", "Something went wrong on our side.")
