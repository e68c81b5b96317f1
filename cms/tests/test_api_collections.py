import pytest
from rest_framework.test import APIClient

from cms.factories import (
    ProductCollectionFactory,
    ProductCollectionItemFactory,
    ProductImageFactory,
    ProductPageFactory,
    VariantFactory,
)

URL = "/api/v1/collections/"

pytestmark = pytest.mark.django_db


def sellable(**fields):
    product = ProductPageFactory(**fields)
    VariantFactory(product=product)
    return product


def test_published_collections_with_their_products_in_order():
    summer = ProductCollectionFactory(name="Summer", slug="summer")
    ProductCollectionFactory(name="Draft", is_published=False)
    hat, shorts = sellable(title="Hat"), sellable(title="Shorts")
    ProductCollectionItemFactory(collection=summer, product=shorts, sort_order=2)
    ProductCollectionItemFactory(collection=summer, product=hat, sort_order=1)
    ProductCollectionItemFactory(
        collection=summer, product=sellable(title="Retired", live=False), sort_order=0
    )

    response = APIClient().get(URL)

    assert response.status_code == 200
    [collection] = response.json()["results"]
    assert {key: collection[key] for key in ("id", "name", "slug")} == {
        "id": summer.pk,
        "name": "Summer",
        "slug": "summer",
    }
    assert [product["title"] for product in collection["products"]] == [
        "Hat",
        "Shorts",
    ]
    assert collection["products"][0]["price"] == {"amount": "49.90", "currency": "USD"}


def test_detail_by_slug_and_drafts_are_hidden():
    ProductCollectionFactory(slug="summer")
    ProductCollectionFactory(slug="secret", is_published=False)
    client = APIClient()

    assert client.get(f"{URL}summer/").json()["slug"] == "summer"
    assert client.get(f"{URL}secret/").status_code == 404


def test_list_query_count_does_not_grow(django_assert_num_queries):
    for _ in range(5):
        collection = ProductCollectionFactory()
        for _ in range(3):
            product = sellable()
            ProductImageFactory(product=product)
            ProductCollectionItemFactory(collection=collection, product=product)
    client = APIClient()
    assert client.get(URL).status_code == 200  # makes the renditions, caches root paths

    # count, collections, items, products, images, renditions
    with django_assert_num_queries(6):
        assert len(client.get(URL, {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(6):
        assert len(client.get(URL, {"page_size": 5}).json()["results"]) == 5
