"""Writing a review from the product page (signed-in shoppers)."""

import pytest
from django.contrib.auth import get_user_model

from cms.models import Review

pytestmark = pytest.mark.django_db


def test_a_signed_in_shopper_reviews_a_product(client, shop, user, settings):
    settings.REVIEWS_REQUIRE_MODERATION = False
    oxford = shop["products"]["Oxford shirt"]
    client.force_login(user)
    page = client.get(oxford.url)

    response = client.post(
        f"/products/{oxford.pk}/review/",
        {"rating": "5", "title": "Lovely", "body": "Soft cotton."},
    )
    followed = client.get(oxford.url)
    again = client.post(f"/products/{oxford.pk}/review/", {"rating": "4"})

    assert '<label for="review-rating-5">5 stars</label>' in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"{oxford.url}#reviews"
    assert list(Review.objects.values_list("rating", "title", "status")) == [
        (5, "Lovely", "approved")
    ]
    assert "Thank you: your review is published." in followed.content.decode()
    assert again.status_code == 400
    assert "You have already reviewed this product." in again.content.decode()


def test_a_rating_is_required(client, shop, user):
    oxford = shop["products"]["Oxford shirt"]
    client.force_login(user)

    response = client.post(f"/products/{oxford.pk}/review/", {"title": "Hmm"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Review.objects.exists()


def test_anonymous_shoppers_are_asked_to_sign_in(client, shop):
    oxford = shop["products"]["Oxford shirt"]

    page = client.get(oxford.url)
    response = client.post(f"/products/{oxford.pk}/review/", {"rating": "5"})

    assert "to write a review." in page.content.decode()
    assert response.status_code == 302
    assert not Review.objects.exists()
    assert get_user_model().objects.count() == 0
