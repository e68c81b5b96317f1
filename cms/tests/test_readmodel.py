"""Generations of the catalog's cached reads: each catalog change, from its real
trigger, starts new ones once it commits; the cache down means no caching."""

from decimal import Decimal

import pytest
from wagtail.models import Site

from cms import readmodel
from cms.factories import CategoryPageFactory, ProductPageFactory, VariantFactory
from cms.services import reviews
from shop.settings.base import redis_cache
from shop.stock import services as stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def product():
    product = ProductPageFactory()
    VariantFactory(product=product, price=Decimal("10.00"))
    return product


def tokens(product):
    names = [readmodel.CATALOG, readmodel.TREE, readmodel.product(product.pk)]
    return readmodel.current(names)


def changed(before, after) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def test_tokens_are_stable_until_a_change(product):
    assert tokens(product) == tokens(product)
    assert readmodel.cache_key("x", [readmodel.CATALOG], "a") == readmodel.cache_key(
        "x", [readmodel.CATALOG], "a"
    )


def test_a_change_shows_only_once_it_commits(product, committed):
    before = tokens(product)
    with committed():
        readmodel.product_changed([product.pk])
        assert tokens(product) == before

    assert changed(before, tokens(product)) == {"catalog", f"product:{product.pk}"}


def test_publishing_a_revision_changes_the_product(product, committed):
    before = tokens(product)
    with committed():
        product.title = "Renamed"
        product.save_revision().publish()

    assert changed(before, tokens(product)) == {"catalog", f"product:{product.pk}"}


def test_unpublishing_changes_the_product(product, committed):
    before = tokens(product)
    with committed():
        product.unpublish()

    assert changed(before, tokens(product)) == {"catalog", f"product:{product.pk}"}


def test_a_variant_saved_in_the_variants_admin_changes_its_product(
    product, admin_client, committed
):
    variant = product.variants.get()
    before = tokens(product)
    with committed():
        response = admin_client.post(
            f"/admin/catalog_variants/edit/{variant.pk}/",
            {
                "product": product.pk,
                "sku": variant.sku,
                "size": "M",
                "color": "black",
                "price": "12.00",
                "currency": "USD",
                "weight_kg": "0.500",
                "is_active": "on",
            },
        )

    assert response.status_code == 302
    assert changed(before, tokens(product)) == {"catalog", f"product:{product.pk}"}


def test_stock_that_stays_available_changes_only_the_product(product, committed):
    variant = product.variants.get()
    before = tokens(product)
    with committed():
        stock.set_quantity(variant.pk, 7)

    assert changed(before, tokens(product)) == {f"product:{product.pk}"}


def test_stock_crossing_zero_changes_the_lists_too(product, committed):
    variant = product.variants.get()
    before = tokens(product)
    with committed():
        stock.set_quantity(variant.pk, 0)

    assert changed(before, tokens(product)) == {"catalog", f"product:{product.pk}"}


def test_shipping_changes_nothing_available(product, committed):
    variant = product.variants.get()
    with committed():
        stock.allocate({variant.pk: 2})
    before = tokens(product)
    with committed():
        stock.ship({variant.pk: 2})

    assert changed(before, tokens(product)) == set()


def test_a_review_changes_the_product_rating(product, user, committed):
    before = tokens(product)
    with committed():
        reviews.submit_review(user, product, rating=5)

    assert changed(before, tokens(product)) == {"catalog", f"product:{product.pk}"}


def test_publishing_a_category_changes_the_tree(product, committed):
    category = CategoryPageFactory()
    before = tokens(product)
    with committed():
        category.title = "Renamed"
        category.save_revision().publish()

    assert changed(before, tokens(product)) == {"catalog", "tree"}


def test_moving_a_product_changes_the_tree_and_the_product(product, committed):
    before = tokens(product)
    with committed():
        product.move(CategoryPageFactory(), pos="last-child")

    assert changed(before, tokens(product)) == {
        "catalog",
        "tree",
        f"product:{product.pk}",
    }


def test_with_the_cache_down_there_is_nothing_to_key_by(product, settings):
    settings.CACHES = {
        "default": redis_cache("redis://127.0.0.1:1/0", socket_timeout=0.2)
    }

    assert tokens(product) is None
    assert readmodel.cache_key("x", [readmodel.CATALOG]) is None


def test_a_change_made_with_the_cache_down_renews_everything_once_it_is_back(
    product, settings, committed
):
    before = tokens(product)
    working = settings.CACHES
    settings.CACHES = {
        "default": redis_cache("redis://127.0.0.1:1/0", socket_timeout=0.2)
    }
    with committed():
        readmodel.product_changed([product.pk])
    settings.CACHES = working

    assert changed(before, tokens(product)) == {"catalog", "tree"}


def test_editing_a_site_changes_the_tree(product, committed):
    site = Site.objects.get(is_default_site=True)
    before = tokens(product)
    with committed():
        site.hostname = "shop.example"
        site.save()

    assert changed(before, tokens(product)) == {"catalog", "tree"}
