from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cms.factories import ProductPageFactory, ReviewFactory
from cms.models import ProductPage, Review, ReviewStatus
from shop.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(product):
    return f"/api/v1/products/{product.pk}/reviews/"


@pytest.fixture
def product():
    return ProductPageFactory()


@pytest.fixture
def shopper():
    return UserFactory(first_name="Ada")


@pytest.fixture
def signed_in(shopper):
    client = APIClient()
    client.force_login(shopper)
    return client


def test_list_shows_approved_reviews_newest_first(product):
    older = ReviewFactory(product=product, rating=5, user__first_name="Bo")
    newer = ReviewFactory(product=product, rating=3, title="Meh", user__first_name="")
    Review.objects.filter(pk=older.pk).update(
        created_at=newer.created_at - timedelta(days=1)
    )
    ReviewFactory(product=product, status=ReviewStatus.PENDING)
    ReviewFactory(product=product, status=ReviewStatus.REJECTED)
    ReviewFactory()

    response = APIClient().get(url(product))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [
        (review["id"], review["rating"], review["author"]) for review in body["results"]
    ] == [(newer.pk, 3, "Anonymous"), (older.pk, 5, "Bo")]
    assert set(body["results"][0]) == {
        "id",
        "rating",
        "title",
        "body",
        "author",
        "status",
        "created_at",
    }


def test_list_of_an_unknown_product_is_a_404():
    response = APIClient().get("/api/v1/products/999999/reviews/")

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "Not found.",
            "fields": {},
            "detail": None,
        }
    }


def test_create_review_updates_the_rating(signed_in, product):
    response = signed_in.post(
        url(product), {"rating": 4, "title": "Nice", "body": "Soft."}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["rating"] == 4
    assert body["status"] == "approved"
    assert body["author"] == "Ada"
    product = ProductPage.objects.get(pk=product.pk)
    assert (product.rating_average, product.rating_count) == (Decimal("4.00"), 1)


def test_a_review_body_is_limited_in_length_and_in_the_schema(signed_in, product):
    response = signed_in.post(
        url(product), {"rating": 4, "body": "x" * (1024 * 1024)}, format="json"
    )
    schema = (
        APIClient()
        .get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "body": ["Ensure this field has no more than 5000 characters."]
    }
    assert not Review.objects.exists()
    review = schema["components"]["schemas"]["Review"]["properties"]
    assert (review["title"]["maxLength"], review["body"]["maxLength"]) == (200, 5000)


@pytest.mark.parametrize("field", ["title", "body"])
def test_a_review_with_a_bidi_override_is_refused(signed_in, product, field):
    response = signed_in.post(
        url(product), {"rating": 4, field: "great \u202egnp.exe"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        field: [
            "Contains a bidirectional control character (U+202E), which can "
            "disguise text."
        ]
    }
    assert not Review.objects.exists()


def test_right_to_left_text_with_its_marks_is_a_fine_review(signed_in, product):
    text = "\u05de\u05e2\u05d5\u05dc\u05d4\u200f!"

    response = signed_in.post(url(product), {"rating": 5, "body": text}, format="json")

    assert response.status_code == 201
    assert Review.objects.get().body == text


def test_create_with_a_token(shopper, product):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=shopper)}")

    response = client.post(url(product), {"rating": 5}, format="json")

    assert response.status_code == 201
    assert Review.objects.get().user == shopper


def test_create_when_moderated_is_pending_and_not_counted(settings, signed_in, product):
    settings.REVIEWS_REQUIRE_MODERATION = True

    response = signed_in.post(url(product), {"rating": 1}, format="json")

    assert response.json()["status"] == "pending"
    assert ProductPage.objects.get(pk=product.pk).rating_count == 0
    assert APIClient().get(url(product)).json()["count"] == 0


def test_second_review_is_a_409(signed_in, product):
    signed_in.post(url(product), {"rating": 5}, format="json")

    response = signed_in.post(url(product), {"rating": 1}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "already_reviewed",
            "message": "You have already reviewed this product.",
            "fields": {},
            "detail": None,
        }
    }
    assert ProductPage.objects.get(pk=product.pk).rating_average == Decimal("5.00")


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"rating": 6}, {"rating": ["Ensure this value is less than or equal to 5."]}),
        (
            {"rating": 0},
            {"rating": ["Ensure this value is greater than or equal to 1."]},
        ),
        ({"rating": "x"}, {"rating": ["A valid integer is required."]}),
        ({}, {"rating": ["This field is required."]}),
        (
            {"rating": 3, "title": "t" * 201},
            {"title": ["Ensure this field has no more than 200 characters."]},
        ),
    ],
)
def test_invalid_review_is_a_400(signed_in, product, payload, fields):
    response = signed_in.post(url(product), payload, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Invalid input.",
            "fields": fields,
            "detail": None,
        }
    }
    assert not Review.objects.exists()


def test_anonymous_cannot_review(product):
    response = APIClient().post(url(product), {"rating": 5}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
            "detail": None,
        }
    }


def test_list_query_count_does_not_grow_with_page_size(
    product, django_assert_num_queries
):
    ReviewFactory.create_batch(30, product=product)
    client = APIClient()

    # product, count, page
    with django_assert_num_queries(3):
        assert len(client.get(url(product), {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(3):
        assert len(client.get(url(product), {"page_size": 30}).json()["results"]) == 30
