"""The demo data command: counts, a valid page tree, determinism, tastes, search."""

import hashlib
from collections import Counter, defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Min
from wagtail.models import Page, Site

from cms.models import (
    CategoryPage,
    HomePage,
    LandingPage,
    ProductCollection,
    ProductCollectionItem,
    ProductImage,
    ProductPage,
    Review,
    ReviewStatus,
    Variant,
)
from recommend.models import Interaction
from shop.demo.catalog import LEAVES
from shop.demo.seed import DEMO_PASSWORD, seed_demo
from shop.stock.models import Stock

pytestmark = pytest.mark.django_db

UNTIL = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SMALL = {
    "products": 30,
    "shoppers": 20,
    "events_per_shopper": 20,
    "seed": 7,
    "until": UNTIL,
}


def run_seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def demo_users():
    return get_user_model().objects.filter(email__endswith="@demo.example.com")


def digest() -> str:
    """A fingerprint of the demo data by natural keys (primary keys may differ)."""
    rows = []
    for page in ProductPage.objects.order_by("url_path"):
        rows.append(
            (
                page.url_path,
                page.title,
                page.brand,
                page.gender,
                page.material,
                page.description,
                str(page.rating_average),
                page.rating_count,
                page.popularity,
                sorted(page.tags.names()),
            )
        )
    rows += Variant.objects.order_by("sku").values_list(
        "sku", "product__slug", "size", "color", "price", "compare_at_price",
        "weight_kg", "stock__quantity",
    )  # fmt: skip
    rows += ProductImage.objects.order_by("product__slug", "sort_order").values_list(
        "product__slug", "sort_order", "image__title", "alt_text"
    )
    rows += (
        demo_users()
        .order_by("email")
        .values_list("email", "first_name", "last_name", "date_joined", "password")
    )
    rows += Interaction.objects.order_by(
        "created_at", "session_id", "kind", "product__slug"
    ).values_list("user__email", "session_id", "product__slug", "kind", "created_at")
    rows += Review.objects.order_by("product__slug", "user__email").values_list(
        "product__slug", "user__email", "rating", "title", "status", "created_at"
    )
    rows += ProductCollectionItem.objects.order_by(
        "collection__slug", "sort_order"
    ).values_list("collection__slug", "sort_order", "product__slug")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_small_seed_creates_the_catalog_shoppers_and_history():
    output = run_seed()

    assert ProductPage.objects.live().count() == 30
    assert CategoryPage.objects.count() == 4 + len(LEAVES)
    assert HomePage.objects.count() == 1
    assert LandingPage.objects.get().slug == "summer-sale"
    assert demo_users().count() == 20
    assert set(ProductCollection.objects.values_list("slug", flat=True)) == {
        "bestsellers",
        "on-sale",
        "new-arrivals",
        "premium-picks",
    }
    assert ProductCollectionItem.objects.filter(collection__slug="bestsellers").count()
    assert Interaction.objects.filter(user__isnull=True).exclude(session_id="").count()
    assert Interaction.objects.filter(user__isnull=False).count()
    assert f"password {DEMO_PASSWORD}" in output
    assert "products 30/30" in output
    assert demo_users().first().check_password(DEMO_PASSWORD)


def test_the_default_site_serves_the_demo_home_page():
    run_seed()

    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()
    assert [block.block_type for block in home.body] == [
        "hero_banner",
        "product_carousel",
        "promo_tiles",
        "product_carousel",
        "product_carousel",
        "rich_text",
    ]


def test_the_home_page_renders_its_blocks(client):
    run_seed()

    response = client.get("/", HTTP_HOST="127.0.0.1")

    assert response.status_code == 200
    content = response.content.decode()
    assert "The new season edit" in content
    assert "Bestsellers" in content
    assert "Free returns, always" in content


def test_the_page_tree_is_valid():
    run_seed()

    assert Page.find_problems() == ([], [], [], [], [])
    for leaf in CategoryPage.objects.filter(depth=4):
        assert leaf.numchild == leaf.get_children().count()
    product = ProductPage.objects.order_by("path").first()
    assert product.url_path == f"{product.get_parent().url_path}{product.slug}/"
    assert product.get_parent().specific_class is CategoryPage


def test_every_product_has_variants_stock_and_images():
    run_seed()

    assert not ProductPage.objects.filter(variants__isnull=True).exists()
    assert not ProductPage.objects.filter(images__isnull=True).exists()
    assert Stock.objects.count() == Variant.objects.count()
    assert Stock.objects.filter(quantity=0).exists()
    assert Stock.objects.filter(quantity__gt=0).exists()
    assert Variant.objects.values("sku").distinct().count() == Variant.objects.count()
    variant = Variant.objects.order_by("sku").first()
    assert isinstance(variant.price, Decimal)
    assert variant.weight_kg > 0
    assert Variant.objects.filter(compare_at_price__gt=0).exists()


def test_ratings_equal_the_approved_reviews():
    run_seed()

    approved = defaultdict(list)
    for product_id, rating in Review.objects.filter(
        status=ReviewStatus.APPROVED
    ).values_list("product_id", "rating"):
        approved[product_id].append(rating)
    assert approved
    for product in ProductPage.objects.all():
        ratings = approved[product.pk]
        assert product.rating_count == len(ratings)
        expected = (
            (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"))
            if ratings
            else Decimal("0.00")
        )
        assert product.rating_average == expected


def test_popularity_follows_the_interactions():
    run_seed()

    with_events = set(Interaction.objects.values_list("product_id", flat=True))
    for product in ProductPage.objects.all():
        assert (product.popularity > 0) == (product.pk in with_events)


def test_the_funnel_narrows_and_purchases_follow_views():
    run_seed()

    kinds = Counter(Interaction.objects.values_list("kind", flat=True))
    assert kinds["view"] > kinds["cart_add"] > kinds["purchase"] > 0
    first_views = {
        (row["session_id"], row["product_id"]): row["first"]
        for row in Interaction.objects.filter(kind="view")
        .values("session_id", "product_id")
        .annotate(first=Min("created_at"))
    }
    for purchase in Interaction.objects.filter(kind="purchase"):
        viewed = first_views[(purchase.session_id, purchase.product_id)]
        assert viewed < purchase.created_at
    assert Interaction.objects.filter(created_at__gt=UNTIL).count() == 0


def test_same_seed_gives_the_same_data_and_reset_replaces_it():
    run_seed()
    first = digest()

    run_seed(reset=True)

    assert digest() == first
    assert ProductPage.objects.count() == 30
    assert HomePage.objects.count() == 1
    assert Page.find_problems() == ([], [], [], [], [])


def test_another_seed_gives_other_data():
    run_seed()
    first = digest()

    run_seed(reset=True, seed=8)

    assert digest() != first


def test_a_second_run_without_reset_changes_nothing():
    run_seed()
    before = digest()

    output = run_seed(products=5)

    assert "nothing done" in output
    assert digest() == before


def test_search_finds_seeded_products_by_brand():
    run_seed()
    brand = (
        ProductPage.objects.values("brand")
        .annotate(n=Count("pk"))
        .order_by("-n", "brand")
        .first()["brand"]
    )

    results = list(ProductPage.objects.live().search(brand))

    assert len(results) == ProductPage.objects.filter(brand=brand).count()
    assert {product.brand for product in results} == {brand}


def test_shoppers_mostly_buy_in_their_favourite_categories():
    data = seed_demo(
        products=200,
        shoppers=60,
        events_per_shopper=60,
        seed=3,
        until=UNTIL,
        log=lambda line: None,
    )

    share_of_catalog = Counter(product.leaf for product in data.products)
    in_favourites = chance = purchases = 0
    for event in data.events:
        if event.kind != "purchase" or event.shopper is None:
            continue
        favourites = data.shoppers[event.shopper].taste.categories_at(event.at)
        purchases += 1
        in_favourites += data.products[event.product].leaf in favourites
        chance += sum(share_of_catalog[leaf] for leaf in favourites) / 200
    assert purchases > 100
    # Chance would be the favourites' share of the catalog (about a fifth).
    assert in_favourites / purchases > 3 * chance / purchases
    assert Interaction.objects.filter(kind="purchase").count() == sum(
        event.kind == "purchase" for event in data.events
    )
