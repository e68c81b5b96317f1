from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cms.factories import (
    CategoryPageFactory,
    ProductImageFactory,
    ProductPageFactory,
    VariantFactory,
)
from cms.models import Gender

URL = "/api/v1/products/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


def make_product(parent=None, variants=({},), images=0, **fields):
    product = ProductPageFactory(parent=parent, **fields)
    for variant in variants:
        VariantFactory(product=product, **variant)
    for _ in range(images):
        ProductImageFactory(product=product)
    return product


def titles(response):
    assert response.status_code == 200, response.json()
    return [item["title"] for item in response.json()["results"]]


def test_list_item_shape(client):
    category = CategoryPageFactory(title="Shirts")
    product = make_product(
        parent=category,
        title="Oxford",
        brand="Acme",
        gender=Gender.MEN,
        material="cotton",
        rating_average=Decimal("4.50"),
        rating_count=2,
        variants=[
            {"price": Decimal("30.00"), "compare_at_price": Decimal("40.00")},
            {"price": Decimal("25.00"), "stock": 0},
        ],
        images=2,
    )
    first_image = product.images.order_by("sort_order").first()

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    main_image = item.pop("main_image")
    assert item == {
        "id": product.pk,
        "title": "Oxford",
        "slug": "oxford",
        "url": "http://localhost/shirts/oxford/",
        "brand": "Acme",
        "gender": "men",
        "material": "cotton",
        "price": {"amount": "25.00", "currency": "USD"},
        "compare_at_price": None,
        "in_stock": True,
        "rating": {"average": "4.50", "count": 2},
        "category": category.pk,
    }
    assert main_image["id"] == first_image.image_id
    assert main_image["url"] == "http://testserver" + first_image.image.file.url
    assert (main_image["width"], main_image["height"]) == (640, 480)
    assert main_image["alt"] == first_image.image.title
    assert main_image["renditions"]["thumbnail"]["width"] == 300
    assert main_image["renditions"]["thumbnail"]["height"] == 300
    assert main_image["renditions"]["large"]["width"] == 640
    assert main_image["renditions"]["thumbnail"]["url"].startswith(
        "http://testserver/media/images/"
    )


def test_list_shows_only_live_products_with_active_variants(client):
    make_product(title="Shown")
    make_product(title="Draft", live=False)
    make_product(title="Retired", variants=[{"is_active": False}])
    make_product(title="Bare", variants=[])

    assert titles(client.get(URL)) == ["Shown"]


def test_price_is_the_cheapest_active_variant(client):
    make_product(
        variants=[
            {"price": Decimal("10.00"), "is_active": False},
            {"price": Decimal("20.00"), "compare_at_price": Decimal("29.00")},
            {"price": Decimal("35.00")},
        ]
    )

    item = client.get(URL).json()["results"][0]

    assert (item["price"], item["compare_at_price"]) == (
        {"amount": "20.00", "currency": "USD"},
        {"amount": "29.00", "currency": "USD"},
    )


def test_stock_counts_only_unallocated_units_of_active_variants(client):
    from shop.stock.models import Stock

    fully_allocated = make_product(title="Allocated", variants=[{"stock": 2}])
    Stock.objects.filter(variant__product=fully_allocated).update(quantity_allocated=2)
    make_product(title="Inactive stock", variants=[{"stock": 0}, {"is_active": False}])
    no_row = make_product(title="No stock row", variants=[{"stock": 0}])
    Stock.objects.filter(variant__product=no_row).delete()

    items = client.get(URL).json()["results"]

    assert {item["title"]: item["in_stock"] for item in items} == {
        "Allocated": False,
        "Inactive stock": False,
        "No stock row": False,
    }


def test_filter_category_by_id_includes_descendants(client):
    clothing = CategoryPageFactory(title="Clothing")
    shirts = CategoryPageFactory(title="Shirts", parent=clothing)
    make_product(parent=clothing, title="Scarf")
    make_product(parent=shirts, title="Oxford")
    make_product(parent=CategoryPageFactory(title="Shoes"), title="Boot")

    # Tree order: the Shirts category was added under Clothing before the Scarf.
    assert titles(client.get(URL, {"category": clothing.pk})) == ["Oxford", "Scarf"]


def test_filter_category_by_slug(client):
    clothing = CategoryPageFactory(title="Clothing")
    make_product(parent=CategoryPageFactory(parent=clothing), title="Oxford")
    make_product(title="Boot")

    assert titles(client.get(URL, {"category": "clothing"})) == ["Oxford"]


def test_filter_category_by_a_slug_shared_by_two_categories(client):
    men = CategoryPageFactory(title="Men")
    women = CategoryPageFactory(title="Women")
    make_product(parent=CategoryPageFactory(title="Shirts", parent=men), title="His")
    make_product(parent=CategoryPageFactory(title="Shirts", parent=women), title="Hers")
    make_product(parent=men, title="Belt")

    assert titles(client.get(URL, {"category": "shirts"})) == ["His", "Hers"]


def test_filter_gender(client):
    make_product(title="His", gender=Gender.MEN)
    make_product(title="Hers", gender=Gender.WOMEN)

    assert titles(client.get(URL, {"gender": "women"})) == ["Hers"]


def test_filter_size_is_repeatable_and_ignores_case(client):
    make_product(title="Small", variants=[{"size": "S"}])
    make_product(title="Medium", variants=[{"size": "M"}])
    make_product(title="Large", variants=[{"size": "L"}])
    make_product(title="Inactive small", variants=[{"size": "S", "is_active": False}])

    assert titles(client.get(URL + "?size=s&size=L")) == ["Small", "Large"]


def test_filter_color(client):
    make_product(title="Red", variants=[{"color": "red"}, {"color": "blue"}])
    make_product(title="Black", variants=[{"color": "black"}])

    assert titles(client.get(URL, {"color": "Red"})) == ["Red"]


def test_filter_size_and_color_must_meet_on_one_variant(client):
    make_product(title="Red M", variants=[{"size": "M", "color": "red"}])
    make_product(
        title="Red L and blue M",
        variants=[{"size": "L", "color": "red"}, {"size": "M", "color": "blue"}],
    )

    assert titles(client.get(URL, {"size": "M", "color": "red"})) == ["Red M"]


def test_filter_unknown_facet_value_matches_nothing(client):
    make_product(variants=[{"color": "black"}])

    assert titles(client.get(URL, {"color": "octarine"})) == []


def test_filter_material(client):
    make_product(title="Wool", material="wool")
    make_product(title="Linen", material="linen")
    make_product(title="Cotton", material="cotton")

    assert titles(client.get(URL + "?material=Wool&material=linen")) == [
        "Wool",
        "Linen",
    ]


def test_filter_price_min_uses_the_cheapest_variant(client):
    make_product(title="Cheap", variants=[{"price": Decimal("9.99")}])
    make_product(
        title="Mixed", variants=[{"price": Decimal("10.00")}, {"price": Decimal("99")}]
    )

    assert titles(client.get(URL, {"price_min": "10"})) == ["Mixed"]


def test_filter_price_max(client):
    make_product(title="Cheap", variants=[{"price": Decimal("10.00")}])
    make_product(title="Dear", variants=[{"price": Decimal("10.01")}])

    assert titles(client.get(URL, {"price_max": "10.00"})) == ["Cheap"]


def test_filter_in_stock(client):
    make_product(title="Available", variants=[{"stock": 1}])
    make_product(title="Sold out", variants=[{"stock": 0}])

    assert titles(client.get(URL, {"in_stock": "true"})) == ["Available"]
    assert titles(client.get(URL, {"in_stock": "false"})) == ["Sold out"]


def test_filter_rating_min(client):
    make_product(title="Loved", rating_average=Decimal("4.50"), rating_count=4)
    make_product(title="Liked", rating_average=Decimal("3.99"), rating_count=4)

    assert titles(client.get(URL, {"rating_min": "4"})) == ["Loved"]


def test_search_orders_by_relevance_and_combines_with_filters(client):
    make_product(title="Linen shirt", description="<p>Light linen linen.</p>")
    make_product(title="Wool coat", description="<p>Warm, with a linen lining.</p>")
    make_product(
        title="Linen trousers", gender=Gender.WOMEN, description="<p>Linen.</p>"
    )
    make_product(title="Leather belt")

    assert titles(client.get(URL, {"q": "linen", "gender": "unisex"})) == [
        "Linen shirt",
        "Wool coat",
    ]


@pytest.mark.parametrize(
    "query", ["!!!", "the", "linen & | !", "'", "\\", "linen:*", "😀", "a" * 200]
)
def test_search_survives_odd_input(client, query):
    make_product(title="Linen shirt")

    assert client.get(URL, {"q": query}).status_code == 200


def test_search_honours_an_explicit_ordering(client):
    make_product(title="Linen shirt", variants=[{"price": Decimal("50")}])
    make_product(title="Linen scarf", variants=[{"price": Decimal("20")}])

    assert titles(client.get(URL, {"q": "linen", "ordering": "price"})) == [
        "Linen scarf",
        "Linen shirt",
    ]


def test_search_is_paginated(client):
    for number in range(3):
        make_product(title=f"Linen {number}")

    body = client.get(URL, {"q": "linen", "page_size": 2, "page": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 1


def test_default_order_is_the_page_tree(client):
    category = CategoryPageFactory()
    for title in ("B", "A", "C"):
        make_product(parent=category, title=title)

    assert titles(client.get(URL)) == ["B", "A", "C"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", ["Cheap", "Middle", "Dear"]),
        ("-price", ["Dear", "Middle", "Cheap"]),
        ("newest", ["Middle", "Dear", "Cheap"]),
        ("rating", ["Dear", "Cheap", "Middle"]),
        ("popularity", ["Cheap", "Dear", "Middle"]),
    ],
)
def test_ordering(client, ordering, expected):
    make_product(
        title="Cheap",
        variants=[{"price": Decimal("5")}],
        first_published_at=datetime(2024, 1, 1, tzinfo=UTC),
        rating_average=Decimal("4.00"),
        popularity=9.0,
    )
    make_product(
        title="Dear",
        variants=[{"price": Decimal("50")}],
        first_published_at=datetime(2024, 6, 1, tzinfo=UTC),
        rating_average=Decimal("4.90"),
        popularity=3.0,
    )
    make_product(
        title="Middle",
        variants=[{"price": Decimal("20")}, {"price": Decimal("90")}],
        first_published_at=datetime(2025, 1, 1, tzinfo=UTC),
        rating_average=Decimal("1.00"),
        popularity=1.0,
    )

    assert titles(client.get(URL, {"ordering": ordering})) == expected


def error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.mark.parametrize(
    ("params", "field", "messages"),
    [
        (
            {"gender": "robot"},
            "gender",
            ["Select a valid choice. robot is not one of the available choices."],
        ),
        (
            {"ordering": "foo"},
            "ordering",
            ["Select a valid choice. foo is not one of the available choices."],
        ),
        (
            {"category": "does-not-exist"},
            "category",
            ["No category with id or slug 'does-not-exist'."],
        ),
        (
            {"category": "99999999999999999999999"},
            "category",
            ["No category with id or slug '99999999999999999999999'."],
        ),
        ({"price_min": "abc"}, "price_min", ["Enter a number."]),
        (
            {"price_max": "-1"},
            "price_max",
            ["Ensure this value is greater than or equal to 0."],
        ),
        (
            {"price_max": "1e999999"},
            "price_max",
            [
                "Ensure that there are no more than 12 digits in total.",
                "Ensure this value is less than or equal to 1e+50.",
            ],
        ),
        (
            {"rating_min": "9"},
            "rating_min",
            ["Ensure this value is less than or equal to 5."],
        ),
        (
            {"in_stock": "maybe"},
            "in_stock",
            ["Select a valid choice. maybe is not one of the available choices."],
        ),
        (
            {"q": "a" * 201},
            "q",
            ["Ensure this value has at most 200 characters (it has 201)."],
        ),
        ({"page_size": "0"}, "page_size", ["Must be a whole number from 1 to 100."]),
        ({"page_size": "500"}, "page_size", ["Must be a whole number from 1 to 100."]),
        ({"page_size": "ten"}, "page_size", ["Must be a whole number from 1 to 100."]),
    ],
)
def test_bad_parameters_get_a_400(client, params, field, messages):
    make_product()

    assert error(client.get(URL, params), 400) == {
        "code": "invalid",
        "message": "Invalid input.",
        "fields": {field: messages},
        "detail": None,
    }


def test_page_beyond_range_is_a_404(client):
    make_product()

    assert error(client.get(URL, {"page": 2}), 404) == {
        "code": "not_found",
        "message": "Invalid page.",
        "fields": {},
        "detail": None,
    }


def test_detail(client):
    category = CategoryPageFactory(title="Clothing")
    shirts = CategoryPageFactory(title="Shirts", parent=category)
    product = make_product(
        parent=shirts,
        title="Oxford",
        seo_title="Oxford shirt",
        search_description="A shirt.",
        variants=[
            {"sku": "OX-M", "size": "M", "color": "blue", "price": Decimal("30.00")},
            {"sku": "OX-L", "size": "L", "stock": 0, "price": Decimal("32.00")},
            {"sku": "OX-S", "is_active": False},
        ],
        images=2,
    )
    product.tags.add("summer", "basics")
    product.save()

    response = client.get(f"{URL}{product.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "<p>A fine product.</p>"
    assert body["tags"] == ["basics", "summer"]
    assert body["variants"] == [
        {
            "id": product.variants.get(sku="OX-M").pk,
            "sku": "OX-M",
            "size": "M",
            "color": "blue",
            "price": {"amount": "30.00", "currency": "USD"},
            "compare_at_price": None,
            "weight_kg": "0.500",
            "in_stock": True,
            "quantity_available": 10,
        },
        {
            "id": product.variants.get(sku="OX-L").pk,
            "sku": "OX-L",
            "size": "L",
            "color": "black",
            "price": {"amount": "32.00", "currency": "USD"},
            "compare_at_price": None,
            "weight_kg": "0.500",
            "in_stock": False,
            "quantity_available": 0,
        },
    ]
    image_ids = list(
        product.images.order_by("sort_order").values_list("image_id", flat=True)
    )
    assert [image["id"] for image in body["images"]] == image_ids
    assert body["main_image"]["id"] == image_ids[0]
    assert body["breadcrumbs"] == [
        {"id": category.pk, "title": "Clothing", "slug": "clothing"},
        {"id": shirts.pk, "title": "Shirts", "slug": "shirts"},
    ]
    assert body["seo"] == {
        "seo_title": "Oxford shirt",
        "search_description": "A shirt.",
    }


def test_detail_of_a_draft_is_a_404(client):
    product = make_product(live=False)

    assert error(client.get(f"{URL}{product.pk}/"), 404)["code"] == "not_found"


def warm_up(client, url):
    """Renditions are made on first use, and the site root paths cached. With
    ?format=json, which the answer cache leaves alone: the measured request
    builds its answer (a cached one costs no query at all)."""
    separator = "&" if "?" in url else "?"
    assert client.get(f"{url}{separator}format=json").status_code == 200


def test_list_query_count_does_not_grow_with_page_size(
    client, django_assert_num_queries
):
    category = CategoryPageFactory()
    for number in range(50):
        make_product(
            parent=category,
            title=f"Product {number}",
            variants=[{}, {}, {"is_active": number % 2 == 0}],
            images=2,
        )
    warm_up(client, URL + "?page_size=50")

    with django_assert_num_queries(PRODUCT_LIST_QUERIES):
        assert len(client.get(URL, {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(PRODUCT_LIST_QUERIES):
        assert len(client.get(URL, {"page_size": 50}).json()["results"]) == 50


def test_detail_query_count_does_not_grow_with_variants_and_images(
    client, django_assert_num_queries
):
    category = CategoryPageFactory()
    small = make_product(parent=category, variants=[{}], images=1)
    large = make_product(parent=category, variants=[{}] * 10, images=5)
    warm_up(client, f"{URL}{small.pk}/")
    warm_up(client, f"{URL}{large.pk}/")

    with django_assert_num_queries(PRODUCT_DETAIL_QUERIES):
        assert len(client.get(f"{URL}{small.pk}/").json()["variants"]) == 1
    with django_assert_num_queries(PRODUCT_DETAIL_QUERIES):
        assert len(client.get(f"{URL}{large.pk}/").json()["variants"]) == 10


# count, page, images, their renditions
PRODUCT_LIST_QUERIES = 4
# product, images, renditions, tags, variants with stock, breadcrumbs
PRODUCT_DETAIL_QUERIES = 6
