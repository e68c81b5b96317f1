import pytest
from rest_framework.test import APIClient

from cms.factories import CategoryPageFactory, ProductPageFactory, VariantFactory

URL = "/api/v1/categories/"

pytestmark = pytest.mark.django_db


def test_list_is_flat_in_tree_order_with_parent_depth_and_product_count():
    clothing = CategoryPageFactory(title="Clothing")
    shirts = CategoryPageFactory(title="Shirts", parent=clothing)
    shoes = CategoryPageFactory(title="Shoes")
    CategoryPageFactory(title="Hidden", live=False)
    VariantFactory(product=ProductPageFactory(parent=clothing))
    VariantFactory(product=ProductPageFactory(parent=shirts))
    VariantFactory(product=ProductPageFactory(parent=shirts, live=False))
    ProductPageFactory(parent=shoes)

    response = APIClient().get(URL)

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": clothing.pk,
            "title": "Clothing",
            "slug": "clothing",
            "parent": None,
            "depth": 1,
            "product_count": 2,
        },
        {
            "id": shirts.pk,
            "title": "Shirts",
            "slug": "shirts",
            "parent": clothing.pk,
            "depth": 2,
            "product_count": 1,
        },
        {
            "id": shoes.pk,
            "title": "Shoes",
            "slug": "shoes",
            "parent": None,
            "depth": 1,
            "product_count": 0,
        },
    ]


def test_detail():
    clothing = CategoryPageFactory(title="Clothing", intro="<p>All of it.</p>")

    response = APIClient().get(f"{URL}{clothing.pk}/")

    assert response.json() == {
        "id": clothing.pk,
        "title": "Clothing",
        "slug": "clothing",
        "parent": None,
        "depth": 1,
        "product_count": 0,
        "url": "http://localhost/clothing/",
        "intro": "<p>All of it.</p>",
    }


def test_list_query_count_does_not_grow_with_categories(django_assert_num_queries):
    for _ in range(20):
        CategoryPageFactory(parent=CategoryPageFactory())
    client = APIClient()

    # count, page
    with django_assert_num_queries(2):
        assert len(client.get(URL, {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(2):
        assert len(client.get(URL, {"page_size": 40}).json()["results"]) == 40
