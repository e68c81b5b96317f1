"""The "Catalog" admin: variants, stock, reviews and collections."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cms.factories import (
    ProductCollectionFactory,
    ProductPageFactory,
    ReviewFactory,
    VariantFactory,
)
from cms.models import ProductCollection, Review, ReviewStatus, Variant

pytestmark = pytest.mark.django_db

VARIANTS_URL = "/admin/catalog_variants/"


def reviews_url():
    return reverse(Review.snippet_viewset.get_url_name("list"))


def collections_url():
    return reverse(ProductCollection.snippet_viewset.get_url_name("list"))


def listed(response):
    """The objects on the current page of an admin listing."""
    return list(response.context["object_list"])


def test_catalog_menu_groups_the_four_listings(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"))

    html = response.content.decode()
    assert '"Catalog"' in html
    # Stock joins from shop.stock through the group's menu hook, second.
    positions = [
        html.find(f'"{label}"')
        for label in ("Variants", "Stock", "Reviews", "Collections")
    ]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert reverse("catalog_variants:index") == VARIANTS_URL
    assert reverse("catalog_stock:index") == "/admin/catalog_stock/"


class TestVariants:
    def test_list_shows_sku_product_size_color_price_and_available(self, admin_client):
        variant = VariantFactory(
            sku="TEE-RED-M", size="M", color="red", price=Decimal("19.90"), stock=7
        )

        response = admin_client.get(VARIANTS_URL)

        html = response.content.decode()
        assert response.status_code == 200
        assert listed(response) == [variant]
        assert "TEE-RED-M" in html
        assert variant.product.title in html
        assert "19.90" in html
        assert ">7<" in html.replace(" ", "").replace("\n", "")

    def test_search_by_sku_and_by_product_title(self, admin_client):
        shirt = VariantFactory(
            sku="SHIRT-1", product=ProductPageFactory(title="Oxford")
        )
        cap = VariantFactory(sku="CAP-1", product=ProductPageFactory(title="Cap"))

        by_sku = admin_client.get(VARIANTS_URL, {"q": "shirt-1"})
        by_title = admin_client.get(VARIANTS_URL, {"q": "cap"})

        assert listed(by_sku) == [shirt]
        assert listed(by_title) == [cap]

    def test_filters_by_active_color_size_and_currency(self, admin_client):
        red = VariantFactory(sku="A", color="red", size="S", currency="EUR")
        blue = VariantFactory(sku="B", color="blue", size="M", currency="USD")
        retired = VariantFactory(sku="C", color="red", size="M", is_active=False)

        assert listed(admin_client.get(VARIANTS_URL, {"color": "red"})) == [
            red,
            retired,
        ]
        assert listed(admin_client.get(VARIANTS_URL, {"size": "M"})) == [blue, retired]
        assert listed(admin_client.get(VARIANTS_URL, {"currency": "EUR"})) == [red]
        assert listed(admin_client.get(VARIANTS_URL, {"is_active": "false"})) == [
            retired
        ]
        assert listed(admin_client.get(VARIANTS_URL, {"q": "A", "color": "red"})) == [
            red
        ]

    def test_edit_price(self, admin_client):
        variant = VariantFactory(sku="EDIT-1", price=Decimal("10.00"))
        url = reverse("catalog_variants:edit", args=(variant.pk,))

        response = admin_client.post(
            url,
            {
                "product": variant.product_id,
                "sku": "EDIT-1",
                "size": "M",
                "color": "black",
                "price": "12.50",
                "compare_at_price": "15.00",
                "currency": "USD",
                "weight_kg": "0.500",
                "is_active": "on",
            },
        )

        variant.refresh_from_db()
        assert response.status_code == 302
        assert variant.price == Decimal("12.50")
        assert variant.compare_at_price == Decimal("15.00")

    def test_a_variant_added_in_the_admin_gets_an_empty_stock_row(self, admin_client):
        product = ProductPageFactory()

        response = admin_client.post(
            reverse("catalog_variants:add"),
            {
                "product": product.pk,
                "sku": "NEW-1",
                "price": "5.00",
                "currency": "USD",
                "weight_kg": "0.100",
                "is_active": "on",
            },
        )

        assert response.status_code == 302
        assert Variant.objects.get(sku="NEW-1").stock.quantity == 0


class TestReviews:
    def test_search_and_filters(self, admin_client):
        oxford = ProductPageFactory(title="Oxford shirt")
        cap = ProductPageFactory(title="Cap")
        praise = ReviewFactory(product=oxford, rating=5, title="Love it", body="Soft")
        pending = ReviewFactory(
            product=cap, rating=2, body="Too small", status=ReviewStatus.PENDING
        )

        assert listed(admin_client.get(reviews_url(), {"q": "oxford"})) == [praise]
        assert listed(admin_client.get(reviews_url(), {"q": "small"})) == [pending]
        assert listed(admin_client.get(reviews_url(), {"q": "love"})) == [praise]
        assert listed(admin_client.get(reviews_url(), {"status": "pending"})) == [
            pending
        ]
        assert listed(admin_client.get(reviews_url(), {"rating": "5"})) == [praise]
        assert (
            listed(admin_client.get(reviews_url(), {"q": "cap", "status": "approved"}))
            == []
        )

    def test_approving_and_rejecting_moves_the_product_rating(self, admin_client):
        product = ProductPageFactory()
        first = ReviewFactory(product=product, rating=5, status=ReviewStatus.PENDING)
        second = ReviewFactory(product=product, rating=2, status=ReviewStatus.PENDING)
        approve = reverse("wagtail_bulk_action", args=("cms", "review", "approve"))
        reject = reverse("wagtail_bulk_action", args=("cms", "review", "reject"))

        confirm = admin_client.get(f"{approve}?id={first.pk}&id={second.pk}")
        approved = admin_client.post(f"{approve}?id={first.pk}&id={second.pk}")
        product.refresh_from_db()
        after_approval = (product.rating_average, product.rating_count)
        rejected = admin_client.post(f"{reject}?id={second.pk}")
        product.refresh_from_db()

        assert confirm.status_code == 200
        assert approved.status_code == 302
        assert after_approval == (Decimal("3.50"), 2)
        assert rejected.status_code == 302
        assert (product.rating_average, product.rating_count) == (Decimal("5.00"), 1)
        assert Review.objects.get(pk=second.pk).status == ReviewStatus.REJECTED

    def test_each_row_offers_the_moderation_it_can_take(self, admin_client):
        pending = ReviewFactory(status=ReviewStatus.PENDING)
        approved = ReviewFactory(status=ReviewStatus.APPROVED)
        approve = reverse("wagtail_bulk_action", args=("cms", "review", "approve"))
        reject = reverse("wagtail_bulk_action", args=("cms", "review", "reject"))

        html = admin_client.get(reviews_url()).content.decode()

        assert f"{approve}?id={pending.pk}&amp;next=" in html
        assert f"{reject}?id={pending.pk}&amp;next=" in html
        assert f"{approve}?id={approved.pk}&amp;next=" not in html
        assert f"{reject}?id={approved.pk}&amp;next=" in html

    def test_editing_a_review_changes_its_text_only(self, admin_client):
        review = ReviewFactory(rating=4, title="Good", body="Fits well.")
        url = reverse(Review.snippet_viewset.get_url_name("edit"), args=(review.pk,))

        response = admin_client.post(
            url, {"title": "Good", "body": "Fits.", "rating": "1", "status": "rejected"}
        )

        review.refresh_from_db()
        assert response.status_code == 302
        assert (review.body, review.rating, review.status) == (
            "Fits.",
            4,
            ReviewStatus.APPROVED,
        )

    def test_reviews_cannot_be_added_or_deleted_in_the_admin(self, admin_client):
        review = ReviewFactory()
        viewset = Review.snippet_viewset

        add = admin_client.get(reverse(viewset.get_url_name("add")))
        delete = admin_client.post(
            reverse(viewset.get_url_name("delete"), args=(review.pk,))
        )

        assert add.status_code == 302
        assert delete.status_code == 302
        assert Review.objects.filter(pk=review.pk).exists()


def test_collections_are_searchable_snippets(admin_client):
    summer = ProductCollectionFactory(name="Summer essentials")
    ProductCollectionFactory(name="Winter coats")

    response = admin_client.get(collections_url(), {"q": "summer"})

    assert response.status_code == 200
    assert listed(response) == [summer]


def make_rows(start, stop):
    for number in range(start, stop):
        variant = VariantFactory(sku=f"ROW-{number:03d}")
        ReviewFactory(product=variant.product)


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        # session, user, profile, site (theme), count, locale, two pages for the
        # menu, the rows; variants add three distinct-value queries for filters.
        pytest.param(VARIANTS_URL, 12, id="variants"),
        pytest.param(None, 9, id="reviews"),
    ],
)
def test_list_queries_do_not_grow_with_rows(
    admin_client, django_assert_num_queries, url, budget
):
    url = url or reviews_url()
    make_rows(0, 3)
    admin_client.get(url)
    with django_assert_num_queries(budget):
        few = admin_client.get(url)
    make_rows(3, 30)
    with django_assert_num_queries(budget):
        many = admin_client.get(url)

    assert len(listed(few)) == 3
    assert len(listed(many)) == 30
