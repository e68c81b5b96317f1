"""Reviews and the rating aggregate they feed.

ProductPage.rating_average and rating_count are written here only, on every change
that can move them, inside the transaction that holds the product row lock; reads
never recount.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum, TextChoices

from cms import readmodel
from cms.models import ProductPage, Review, ReviewStatus
from shop.core.errors import ServiceError


class ReviewErrorCode(TextChoices):
    ALREADY_REVIEWED = (
        "already_reviewed",
        "The user has reviewed this product already (one review per user).",
    )


class ReviewError(ServiceError):
    codes = ReviewErrorCode


def submit_review(user, product: ProductPage, rating: int, title="", body="") -> Review:
    """Create the user's review; pending when moderation is required."""
    status = (
        ReviewStatus.PENDING
        if settings.REVIEWS_REQUIRE_MODERATION
        else ReviewStatus.APPROVED
    )
    with transaction.atomic():
        # A second submission by the same user waits on this lock, then sees the
        # first review; the unique constraint is the last line of defence.
        _lock_product(product.pk)
        if Review.objects.filter(product_id=product.pk, user=user).exists():
            raise ReviewError(
                "already_reviewed", "You have already reviewed this product."
            )
        review = Review.objects.create(
            product_id=product.pk,
            user=user,
            rating=rating,
            title=title,
            body=body,
            status=status,
        )
        _refresh_rating(product.pk)
    return review


def set_review_status(review: Review, status: str) -> Review:
    """Approve or reject (or send back to moderation) a review."""
    if status not in ReviewStatus.values:
        raise ValueError(f"Unknown review status: {status!r}")
    with transaction.atomic():
        _lock_product(review.product_id)
        review = Review.objects.get(pk=review.pk)
        if review.status != status:
            review.status = status
            review.save(update_fields=["status", "updated_at"])
            _refresh_rating(review.product_id)
    return review


def delete_review(review: Review) -> None:
    with transaction.atomic():
        _lock_product(review.product_id)
        Review.objects.filter(pk=review.pk).delete()
        _refresh_rating(review.product_id)


def _lock_product(product_id: int) -> None:
    # Only the product's own row: page edits lock wagtailcore_page, not this one.
    ProductPage.objects.select_for_update(of=("self",)).only("pk").get(pk=product_id)


def _refresh_rating(product_id: int) -> None:
    """Recompute the aggregate from approved reviews; the caller holds the lock."""
    totals = Review.objects.filter(
        product_id=product_id, status=ReviewStatus.APPROVED
    ).aggregate(total=Sum("rating"), count=Count("pk"))
    count = totals["count"]
    # Exact decimal division: a float average can round the wrong way.
    average = (Decimal(totals["total"]) / count if count else Decimal(0)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    ProductPage.objects.filter(pk=product_id).update(
        rating_average=average, rating_count=count
    )
    readmodel.product_changed([product_id])
