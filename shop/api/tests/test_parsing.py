import json

import pytest
from rest_framework.test import APIClient

from shop.api.parsers import nesting_depth_exceeds

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"


def post_raw(body: bytes, content_type="application/json"):
    return APIClient().post(REGISTER, body, content_type=content_type)


@pytest.mark.parametrize(
    "path", [REGISTER, "/api/v1/auth/token/", "/api/v1/events/", "/api/v1/cart/lines/"]
)
def test_deeply_nested_json_is_a_400_on_any_json_endpoint(path):
    response = APIClient().post(path, b"[" * 50_000, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "parse_error",
            "message": "JSON parse error - nested deeper than 32 levels.",
            "fields": {},
            "detail": None,
        }
    }


def test_json_at_the_depth_limit_reaches_the_serializer(settings):
    settings.API_JSON_MAX_DEPTH = 3
    body = {"email": [["x"]], "password": "p"}  # three levels

    response = post_raw(json.dumps(body).encode())

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_brackets_inside_strings_are_not_nesting():
    text = json.dumps({"a": '[[[[{{\\"' * 20, "b": [[1]]}).encode()

    assert nesting_depth_exceeds(text, 3) is False
    assert nesting_depth_exceeds(b'{"a": [[[[1]]]]}', 3) is True


def test_a_body_over_the_upload_limit_is_a_413_in_the_error_envelope(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"email": "a@example.com", "password": "x" * 2000}).encode()

    response = post_raw(body)

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "payload_too_large",
            "message": "The request body is larger than this server accepts.",
            "fields": {},
            "detail": None,
        }
    }


def test_a_form_body_over_the_upload_limit_is_a_413_too(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_raw(
        b"email=a%40example.com&password=" + b"x" * 2000,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
