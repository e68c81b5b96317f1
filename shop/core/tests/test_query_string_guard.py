import pytest
from rest_framework.test import APIClient

from cms.factories import CategoryPageFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


@pytest.mark.parametrize(
    "query, name",
    [
        ("color=%00", "color"),
        ("size=red%00", "size"),
        ("material=%00", "material"),
        ("category=%00", "category"),
        ("q=%00", "q"),
        ("page=%00", "page"),
        ("ordering=price&color=a%00b", "color"),
    ],
)
def test_a_nul_byte_in_any_api_parameter_is_a_400(query, name):
    response = APIClient().get(f"{PRODUCTS}?{query}")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_query",
            "message": "Invalid query string.",
            "fields": {name: ["Contains a NUL byte."]},
            "detail": None,
        }
    }


@pytest.mark.parametrize(
    "query, name", [("category=%", "category"), ("q=100%", "q"), ("color=%zz", "color")]
)
def test_a_broken_percent_escape_is_a_400(query, name):
    response = APIClient().get(f"{PRODUCTS}?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        name: ["Contains a % that is not a percent escape."]
    }


def test_an_escaped_percent_sign_is_an_ordinary_value():
    response = APIClient().get(f"{PRODUCTS}?category=%25")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Invalid input.",
            "fields": {"category": ["No category with id or slug '%'."]},
            "detail": None,
        }
    }


def test_a_storefront_page_answers_a_plain_400(client):
    CategoryPageFactory(slug="shirts")

    response = client.get("/?page=%00")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_clean_parameters_pass(client):
    response = APIClient().get(f"{PRODUCTS}?color=red&q=100%25%20cotton")

    assert response.status_code == 200
