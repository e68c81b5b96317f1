import threading
from decimal import Decimal

import pytest
from django.db import connection
from wagtail.models import Revision

from cms.factories import ProductPageFactory, ReviewFactory
from cms.models import ProductPage, Review, ReviewStatus
from cms.services import reviews
from shop.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def rating_of(product):
    product = ProductPage.objects.get(pk=product.pk)
    return product.rating_average, product.rating_count


def test_rating_stays_exact_through_create_reject_approve_and_delete():
    product = ProductPageFactory()
    first = reviews.submit_review(UserFactory(), product, rating=5, title="Great")
    second = reviews.submit_review(UserFactory(), product, rating=4)
    third = reviews.submit_review(UserFactory(), product, rating=4)
    assert rating_of(product) == (Decimal("4.33"), 3)

    reviews.set_review_status(first, ReviewStatus.REJECTED)
    assert rating_of(product) == (Decimal("4.00"), 2)

    reviews.set_review_status(first, ReviewStatus.APPROVED)
    assert rating_of(product) == (Decimal("4.33"), 3)

    reviews.delete_review(second)
    reviews.delete_review(third)
    assert rating_of(product) == (Decimal("5.00"), 1)

    reviews.delete_review(first)
    assert rating_of(product) == (Decimal("0.00"), 0)


def test_average_rounds_half_up_exactly():
    product = ProductPageFactory()
    # 5 + 4 * 7 = 33 over 8 reviews: 4.125 rounds to 4.13.
    for rating in [5, 4, 4, 4, 4, 4, 4, 4]:
        reviews.submit_review(UserFactory(), product, rating=rating)

    assert rating_of(product) == (Decimal("4.13"), 8)


def test_moderated_review_is_pending_and_not_counted(settings):
    settings.REVIEWS_REQUIRE_MODERATION = True
    product = ProductPageFactory()

    review = reviews.submit_review(UserFactory(), product, rating=2)

    assert review.status == ReviewStatus.PENDING
    assert rating_of(product) == (Decimal("0.00"), 0)

    approved = reviews.set_review_status(review, ReviewStatus.APPROVED)

    assert approved.status == ReviewStatus.APPROVED
    assert rating_of(product) == (Decimal("2.00"), 1)


def test_second_review_by_the_same_user_is_refused_and_changes_nothing():
    product = ProductPageFactory()
    user = UserFactory()
    reviews.submit_review(user, product, rating=5)

    with pytest.raises(reviews.ReviewError, match="already reviewed"):
        reviews.submit_review(user, product, rating=1)

    assert Review.objects.filter(product=product).count() == 1
    assert rating_of(product) == (Decimal("5.00"), 1)


def test_setting_an_unknown_status_is_refused():
    review = ReviewFactory()

    with pytest.raises(ValueError, match="Unknown review status: 'gone'"):
        reviews.set_review_status(review, "gone")


def test_publishing_a_revision_keeps_the_current_rating():
    product = ProductPageFactory()
    revision_id = product.save_revision().pk
    reviews.submit_review(UserFactory(), product, rating=3)

    # Fetched afresh, as the admin does when an editor publishes.
    Revision.objects.get(pk=revision_id).publish()

    assert rating_of(product) == (Decimal("3.00"), 1)


# serialized_rollback: the flush after a transactional test would drop the
# page tree root that migrations create, which later tests rely on.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submissions_by_one_user_make_one_review():
    product = ProductPageFactory()
    user = UserFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(rating):
        barrier.wait()
        try:
            reviews.submit_review(user, product, rating=rating)
            outcomes.append("created")
        except reviews.ReviewError:
            outcomes.append("already_reviewed")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(r,)) for r in (1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_reviewed", "created"]
    review = Review.objects.get(product=product)
    assert rating_of(product) == (Decimal(review.rating).quantize(Decimal("0.01")), 1)
