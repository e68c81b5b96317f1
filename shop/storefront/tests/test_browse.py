"""Category and search pages: filters, facet counts, sort, pages, query budgets,
and pages a shared cache can keep for first visitors."""

import pytest
from django.contrib.sessions.models import Session

from cms.factories import ProductPageFactory, VariantFactory

pytestmark = pytest.mark.django_db


def titles(response):
    return [product.title for product in response.context["listing"].products]


def facet(response, name):
    return [
        (option.label, option.count, option.selected)
        for option in response.context["listing"].facets[name]
    ]


def test_a_category_lists_by_popularity_with_every_facet_counted(client, shop):
    response = client.get(shop["shirts"].url)

    listing = response.context["listing"]
    assert response.status_code == 200
    assert titles(response) == [
        "Oxford shirt",
        "Denim shirt",
        "Linen shirt",
        "Flannel shirt",
    ]
    assert listing.products.paginator.count == 4
    assert facet(response, "gender") == [
        ("Men", 2, False),
        ("Women", 1, False),
        ("Unisex", 1, False),
    ]
    assert facet(response, "size") == [
        ("S", 2, False),
        ("M", 2, False),
        ("L", 2, False),
        ("XL", 1, False),
    ]
    assert facet(response, "color") == [
        ("beige", 1, False),
        ("blue", 2, False),
        ("red", 1, False),
        ("white", 2, False),
    ]
    assert facet(response, "material") == [
        ("cotton", 2, False),
        ("linen", 1, False),
        ("wool", 1, False),
    ]
    assert facet(response, "rating_min") == [
        ("4 stars & up", 2, False),
        ("3 stars & up", 3, False),
        ("2 stars & up", 3, False),
        ("1 stars & up", 3, False),
    ]
    assert listing.in_stock_count == 3
    html = response.content.decode()
    assert (
        '<p id="results-count" class="results-count" role="status">4 products</p>'
        in html
    )
    assert (
        '<input type="checkbox" name="size" value="XL" id="size-4"> '
        '<label for="size-4">XL <span class="count">(1)</span></label>'
    ) in html
    assert '<label for="listing-ordering">Sort by</label>' in html


def test_facets_count_with_every_other_filter_kept(client, shop):
    response = client.get(shop["shirts"].url, {"color": "blue"})

    assert titles(response) == ["Oxford shirt", "Denim shirt"]
    # colour's own options ignore the colour chosen: a second colour adds to it
    assert facet(response, "color") == [
        ("beige", 1, False),
        ("blue", 2, True),
        ("red", 1, False),
        ("white", 2, False),
    ]
    # sizes count blue variants only (size and colour meet on one variant)
    assert facet(response, "size") == [
        ("M", 1, False),
        ("L", 1, False),
        ("XL", 1, False),
    ]
    assert facet(response, "gender") == [("Men", 2, False)]
    assert response.context["listing"].in_stock_count == 2


def test_filters_combine_and_sort(client, shop):
    url = shop["shirts"].url

    blue_medium = client.get(url, {"color": "blue", "size": "M"})
    cheapest_first = client.get(url, {"ordering": "price"})
    dearest_first = client.get(url, {"ordering": "-price", "in_stock": "true"})
    priced = client.get(url, {"price_min": "40", "price_max": "55", "gender": "women"})
    rated = client.get(url, {"rating_min": "4", "ordering": "rating"})
    linen_or_wool = client.get(url, {"material": ["linen", "wool"]})

    assert titles(blue_medium) == ["Oxford shirt"]
    assert titles(cheapest_first) == [
        "Flannel shirt",
        "Oxford shirt",
        "Linen shirt",
        "Denim shirt",
    ]
    assert titles(dearest_first) == ["Denim shirt", "Linen shirt", "Oxford shirt"]
    assert titles(priced) == ["Linen shirt"]
    assert titles(rated) == ["Oxford shirt", "Denim shirt"]
    assert facet(rated, "rating_min")[0] == ("4 stars & up", 2, True)
    assert titles(linen_or_wool) == ["Linen shirt", "Flannel shirt"]


def test_pagination_links_carry_the_query(client, shop, monkeypatch):
    monkeypatch.setattr(type(shop["shirts"]), "products_per_page", 1)

    response = client.get(shop["shirts"].url, {"gender": "men", "page": "1"})

    assert titles(response) == ["Oxford shirt"]
    assert (
        '<a rel="next" href="?gender=men&amp;page=2">Next</a>'
        in response.content.decode()
    )


def test_filters_the_page_does_not_understand_are_shown_and_left_out(client, shop):
    response = client.get(shop["shirts"].url, {"gender": "robots", "size": "L"})

    assert response.status_code == 200
    assert titles(response) == ["Denim shirt", "Linen shirt"]
    assert "Some filters were not understood" in response.content.decode()


def test_search_finds_products_with_the_same_filters(client, shop):
    response = client.get("/search/", {"q": "denim"})
    none = client.get("/search/", {"q": "denim", "color": "white"})
    everything = client.get("/search/")

    assert response.status_code == 200
    assert titles(response) == ["Denim shirt"]
    assert response.context["listing"].sort_options[0] == ("", "Relevance")
    assert facet(response, "size") == [("L", 1, False), ("XL", 1, False)]
    assert titles(none) == []
    assert "No products match these filters." in none.content.decode()
    assert titles(everything) == [
        "Oxford shirt",
        "Denim shirt",
        "Linen shirt",
        "Flannel shirt",
    ]
    assert "<h1>Results for “denim”</h1>" in response.content.decode()


@pytest.mark.parametrize("path", ["/search/", "/cart/", "shirts", "oxford"])
def test_every_page_has_the_search_box_and_the_mini_cart(client, shop, path):
    url = {"shirts": shop["shirts"].url, "oxford": shop["products"]["Oxford shirt"].url}
    response = client.get(url.get(path, path))

    html = response.content.decode()
    assert '<label for="site-search-q">Search products</label>' in html
    assert (
        '<a class="mini-cart" href="/cart/">Cart <span class="mini-cart-count" '
        "data-cart-count>0</span>"
    ) in html


@pytest.mark.parametrize("page", ["home", "shirts", "oxford", "search"])
def test_a_first_visit_gets_a_shareable_page(client, shop, page):
    """No cookie set, no session made, no per-visitor token: every first
    visitor gets the same bytes, which a shared cache can keep."""
    url = {
        "home": shop["home"].url,
        "shirts": shop["shirts"].url,
        "oxford": shop["products"]["Oxford shirt"].url,
        "search": "/search/?q=shirt",
    }[page]

    first = client.get(url)
    client.cookies.clear()
    second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert first.cookies == {} and second.cookies == {}
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert first.content == second.content
    assert Session.objects.count() == 0


@pytest.mark.usefixtures("page_cache_off")
def test_category_and_search_queries_stay_fixed(
    client, shop, django_assert_num_queries, monkeypatch
):
    shirts = shop["shirts"]
    query = {"color": "white", "ordering": "price", "in_stock": "true"}
    for per_page, url, budget in [
        (2, shirts.url, CATEGORY_QUERIES),
        (24, shirts.url, CATEGORY_QUERIES),
    ]:
        monkeypatch.setattr(type(shirts), "products_per_page", per_page)
        client.get(url, query)
        with django_assert_num_queries(budget):
            client.get(url, query)
    for number in range(6):
        product = ProductPageFactory(parent=shirts, title=f"Extra {number}")
        for size in ("S", "M", "L"):
            VariantFactory(product=product, size=size, color="white")
    client.get(shirts.url, query)
    with django_assert_num_queries(CATEGORY_QUERIES):
        response = client.get(shirts.url, query)
    assert len(response.context["listing"].products) == 8


def test_search_queries_stay_fixed(
    client, shop, django_assert_num_queries, monkeypatch
):
    from shop.storefront.views import catalog

    query = {"q": "shirt", "size": "M", "ordering": "-price"}
    for per_page in (1, 24):
        monkeypatch.setattr(catalog, "SEARCH_RESULTS_PER_PAGE", per_page)
        client.get("/search/", query)
        with django_assert_num_queries(SEARCH_QUERIES):
            response = client.get("/search/", query)
        assert len(response.context["listing"].products) == min(per_page, 2)


# Wagtail's routing to a depth-3 category (site, pages, aliases, view
# restrictions), the header's categories and the subcategories; the result
# count, the page of cards and its three prefetches (images, variants,
# renditions); and six facet counts (gender, material, rating, size, colour,
# in stock). Filters and sort change none of it.
CATEGORY_QUERIES = 21
# The search page: the site root and header categories; the search itself once,
# the count, the page of cards with its prefetches, the six facet counts.
SEARCH_QUERIES = 14
