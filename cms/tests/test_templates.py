"""Every page type is served and previewable by the default theme, in fixed queries."""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from cms.factories import (
    CategoryPageFactory,
    ImageFactory,
    ReviewFactory,
    add_product,
    home_page,
)
from cms.models import LandingPage, ReviewStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_theme(settings):
    settings.DEFAULT_THEME = "default"
    settings.THEMES_DIR = settings.BASE_DIR / "themes"
    for loader in engines["django"].engine.template_loaders:
        loader.reset()
    cache.delete_pattern("themes:site:*")


@pytest.fixture
def catalog():
    home = home_page()
    shirts = CategoryPageFactory(
        parent=home, title="Shirts", intro="<p>Cotton shirts.</p>"
    )
    linen = CategoryPageFactory(parent=shirts, title="Linen shirts")
    oxford = add_product(shirts, "Oxford shirt", variants=2, images=2)
    add_product(linen, "Linen shirt")
    banner_image = ImageFactory()
    home.body = json.dumps(
        [
            {
                "type": "hero_banner",
                "value": {
                    "image": banner_image.pk,
                    "heading": "Summer is here",
                    "text": "New arrivals",
                    "link": {"page": shirts.pk, "url": "", "label": "Shop shirts"},
                },
            },
            {
                "type": "product_carousel",
                "value": {
                    "title": "Best sellers",
                    "source": "category",
                    "category": shirts.pk,
                    "collection": None,
                    "products": [],
                    "limit": 12,
                },
            },
            {
                "type": "promo_tiles",
                "value": {
                    "tiles": [
                        {
                            "image": banner_image.pk,
                            "title": "Linen week",
                            "text": "",
                            "link": {"page": linen.pk, "url": "", "label": ""},
                        }
                    ]
                },
            },
            {"type": "rich_text", "value": "<p>Free returns.</p>"},
        ]
    )
    home.save()
    landing = LandingPage(
        title="Summer campaign",
        slug="summer",
        body=json.dumps([{"type": "rich_text", "value": "<p>Summer deals.</p>"}]),
    )
    home.add_child(instance=landing)
    return {
        "home": home,
        "shirts": shirts,
        "linen": linen,
        "oxford": oxford,
        "landing": landing,
    }


def test_home_page_renders_its_blocks_and_the_category_nav(client, catalog):
    response = client.get(catalog["home"].url)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<nav class="site-nav" aria-label="Categories">' in html
    assert f'<a href="{catalog["shirts"].url}">Shirts</a>' in html
    assert "<h2>Summer is here</h2>" in html
    assert "Shop shirts</a>" in html
    assert "<h2>Best sellers</h2>" in html
    assert "<h3>Oxford shirt</h3>" in html and "<h3>Linen shirt</h3>" in html
    assert "<h3>Linen week</h3>" in html
    assert "<p>Free returns.</p>" in html


def test_landing_page_renders(client, catalog):
    response = client.get(catalog["landing"].url)

    assert response.status_code == 200
    assert "<h1>Summer campaign</h1>" in response.content.decode()
    assert "<p>Summer deals.</p>" in response.content.decode()


def test_category_page_lists_subcategories_and_descendant_products(client, catalog):
    response = client.get(catalog["shirts"].url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Shirts</h1>" in html
    assert "<p>Cotton shirts.</p>" in html
    assert f'<a href="{catalog["linen"].url}">Linen shirts</a>' in html
    assert "<h3>Oxford shirt</h3>" in html
    assert "<h3>Linen shirt</h3>" in html
    assert "<strong>20.00 USD</strong>" in html


def test_category_page_is_paginated(client, catalog, settings):
    shirts = catalog["shirts"]
    for number in range(24):
        add_product(shirts, f"Tee {number:02d}", images=0)

    first = client.get(shirts.url)
    second = client.get(shirts.url, {"page": 2})

    assert list(first.context["products"]) == list(
        first.context["products"].object_list
    )
    assert len(first.context["products"]) == 24
    assert len(second.context["products"]) == 2
    assert 'href="?page=2"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_product_page_shows_everything_a_shopper_needs(client, catalog):
    oxford = catalog["oxford"]
    oxford.tags.add("summer")
    oxford.save()
    discounted = oxford.variants.get(sku="OXFORD-SHIRT-0")
    discounted.compare_at_price = Decimal("30.00")
    discounted.save()
    sold_out = oxford.variants.get(sku="OXFORD-SHIRT-1")
    sold_out.stock.quantity = 0
    sold_out.stock.save()
    ReviewFactory(product=oxford, title="Great fit", rating=5)
    ReviewFactory(product=oxford, title="Hidden", status=ReviewStatus.PENDING)
    oxford.rating_average = Decimal("5.00")
    oxford.rating_count = 1
    oxford.save()

    response = client.get(oxford.url)

    html = response.content.decode()
    images = list(response.context["images"])
    assert response.status_code == 200
    assert '<h1 itemprop="name">Oxford shirt</h1>' in html
    assert [image.alt_text for image in images] == [
        "Oxford shirt view 0",
        "Oxford shirt view 1",
    ]
    assert html.index('class="main-image"') < html.index('alt="Oxford shirt view 1"')
    assert "<s>30.00 USD</s>" in html and "<strong>20.00 USD</strong>" in html
    picker = response.context["variants"]
    assert [variant.sku for variant in picker] == ["OXFORD-SHIRT-0", "OXFORD-SHIRT-1"]
    assert response.context["chosen_variant"].sku == "OXFORD-SHIRT-0"
    assert (
        f'id="variant-{discounted.pk}" checked>' in html
        and f'id="variant-{sold_out.pk}" disabled>' in html
    )
    assert '<span class="variant-name">Size S, Black</span>' in html
    assert '<span class="variant-stock">In stock</span>' in html
    assert '<span class="variant-stock">Sold out</span>' in html
    assert "<p>A fine product.</p>" in html
    assert '<dd itemprop="brand">Northwind</dd>' in html
    assert "<dd>cotton</dd>" in html and "<dd>Unisex</dd>" in html
    assert "<li>summer</li>" in html
    assert "Rated 5.00 / 5 from 1 review" in html
    assert "Great fit" in html
    assert "Hidden" not in html


@pytest.mark.parametrize("name", ["home", "landing", "shirts", "oxford"])
def test_every_page_type_is_previewable(catalog, name):
    page = catalog[name].specific

    response = page.make_preview_request()

    assert response.status_code == 200
    assert page.title in response.content.decode()


def test_product_preview_shows_unsaved_variant_edits(catalog):
    oxford = catalog["oxford"].specific
    variant = oxford.variants.all()[0]
    variant.price = Decimal("9.99")
    oxford.variants = [variant]

    response = oxford.make_preview_request()

    assert response.status_code == 200
    assert "<strong>9.99 USD</strong>" in response.content.decode()


# Routing walks the tree one level per URL segment, so budgets hold per depth:
# site, page route (4 levels), view restrictions, site root, top categories, then
# the page's own reads: subcategories, the result count, the page of cards and
# its prefetches, and one count per facet (gender, size, colour, material,
# rating, in stock; cms.listing). Both measured pages sit at depth 4
# (home/shirts/linen).
CATEGORY_PAGE_QUERIES = 21


def get_warm(client, url):
    """First request creates image renditions; the measured one reads them."""
    assert client.get(url).status_code == 200


def test_category_page_queries_do_not_grow_with_products(
    page_cache_off, client, catalog, django_assert_num_queries
):
    linen = catalog["linen"]
    get_warm(client, linen.url)
    with django_assert_num_queries(CATEGORY_PAGE_QUERIES):
        client.get(linen.url)
    for number in range(5):
        add_product(linen, f"Linen extra {number}", variants=3, images=2)

    get_warm(client, linen.url)
    with django_assert_num_queries(CATEGORY_PAGE_QUERIES):
        response = client.get(linen.url)

    assert len(response.context["products"]) == 6


def test_the_product_page_shows_reviews_a_page_at_a_time(
    page_cache_off, client, catalog
):
    few = add_product(catalog["linen"], "Few", reviews=1)
    many = add_product(catalog["linen"], "Many", reviews=23)
    newest_first = list(many.reviews.order_by("-created_at", "-id"))
    get_warm(client, few.url)
    get_warm(client, many.url)

    with CaptureQueriesContext(connection) as few_queries:
        client.get(few.url)
    with CaptureQueriesContext(connection) as many_queries:
        first = client.get(many.url)
    second = client.get(many.url, {"reviews_page": "2"})
    last = client.get(many.url, {"reviews_page": "3"})
    beyond = client.get(many.url, {"reviews_page": "99999999999999999999"})
    not_a_number = client.get(many.url, {"reviews_page": "x"})

    def shown(response):
        return [review.pk for review in response.context["reviews"]]

    # One query for the page of reviews, whatever their number.
    assert len(many_queries) == len(few_queries)
    assert shown(first) == [review.pk for review in newest_first[:10]]
    assert shown(second) == [review.pk for review in newest_first[10:20]]
    assert shown(last) == [review.pk for review in newest_first[20:]]
    assert (beyond.status_code, shown(beyond)) == (200, [])
    assert shown(not_a_number) == shown(first)
    html = first.content.decode()
    assert html.count('<article class="review">') == 10
    assert '<a rel="next" href="?reviews_page=2#reviews">Older reviews</a>' in html
    assert "Newer reviews" not in html
    last_html = last.content.decode()
    assert '<a rel="prev" href="?reviews_page=2#reviews">Newer reviews</a>' in last_html
    assert "Older reviews" not in last_html
