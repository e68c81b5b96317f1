"""Which page types may live where in the catalog tree."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from cms.factories import CategoryPageFactory, ProductPageFactory, home_page
from cms.models import CategoryPage, HomePage, LandingPage, ProductPage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("page_type", "parent_type", "allowed"),
    [
        (HomePage, Page, True),
        (HomePage, HomePage, False),
        (HomePage, CategoryPage, False),
        (CategoryPage, HomePage, True),
        (CategoryPage, CategoryPage, True),
        (CategoryPage, Page, False),
        (CategoryPage, LandingPage, False),
        (ProductPage, CategoryPage, True),
        (ProductPage, HomePage, False),
        (ProductPage, LandingPage, False),
        (ProductPage, ProductPage, False),
        (ProductPage, Page, False),
        (LandingPage, HomePage, True),
        (LandingPage, LandingPage, True),
        (LandingPage, CategoryPage, False),
        (LandingPage, Page, False),
    ],
)
def test_page_type_may_exist_under(page_type, parent_type, allowed):
    assert page_type.can_exist_under(parent_type()) is allowed


def test_allowed_subpage_models():
    assert HomePage.allowed_subpage_models() == [CategoryPage, LandingPage]
    assert CategoryPage.allowed_subpage_models() == [CategoryPage, ProductPage]
    assert LandingPage.allowed_subpage_models() == [LandingPage]
    assert ProductPage.allowed_subpage_models() == []


def test_can_create_at_real_parents():
    home = home_page()
    category = CategoryPageFactory(parent=home)
    product = ProductPageFactory(parent=category)

    assert ProductPage.can_create_at(category) is True
    assert ProductPage.can_create_at(home) is False
    assert ProductPage.can_create_at(product) is False
    assert CategoryPage.can_create_at(category) is True
    assert CategoryPage.can_create_at(product) is False
    assert HomePage.can_create_at(Page.get_first_root_node()) is True
    assert HomePage.can_create_at(home) is False


def test_admin_refuses_a_product_page_under_the_home_page(admin_client):
    home = home_page()
    url = reverse("wagtailadmin_pages:add", args=("cms", "productpage", home.pk))

    form_response = admin_client.get(url)
    post_response = admin_client.post(
        url, {"title": "Stray", "slug": "stray", "action-publish": "publish"}
    )

    # Wagtail answers a forbidden page type with a redirect to the dashboard.
    assert form_response.status_code == 302
    assert form_response.url == reverse("wagtailadmin_home")
    assert post_response.status_code == 302
    assert post_response.url == reverse("wagtailadmin_home")
    assert ProductPage.objects.count() == 0


def test_admin_offers_a_product_page_under_a_category(admin_client):
    category = CategoryPageFactory()
    url = reverse("wagtailadmin_pages:add", args=("cms", "productpage", category.pk))

    response = admin_client.get(url)

    assert response.status_code == 200


def test_admin_add_subpage_lists_only_allowed_types(admin_client):
    home = home_page()

    response = admin_client.get(
        reverse("wagtailadmin_pages:add_subpage", args=(home.pk,))
    )

    listed = {
        (app_label, model_name)
        for _, app_label, model_name, _ in response.context["page_types"]
    }
    assert response.status_code == 200
    assert listed == {("cms", "categorypage"), ("cms", "landingpage")}
