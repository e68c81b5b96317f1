import uuid
from decimal import Decimal

import pytest

from cms.factories import CategoryPageFactory, ProductPageFactory, VariantFactory
from recommend import services
from recommend.store import RedisStore
from shop.testing.pytest_plugin import needs_services


@pytest.fixture(autouse=True)
def recommend_settings(request, settings):
    """Each test gets its own store prefix and an empty fallback memo; tests of
    pure functions (no servers) have no store to clean."""
    prefix = f"rec-test-{uuid.uuid4().hex[:12]}"
    settings.RECOMMEND = {**settings.RECOMMEND, "KEY_PREFIX": prefix, "SHARDS": 1}
    services._fallback_cache.clear()
    # Tests may point the store elsewhere; the clean-up uses the real Redis.
    redis_url = settings.REDIS_URL
    yield settings.RECOMMEND
    if not needs_services(request.node):
        return
    store = RedisStore(redis_url, prefix)
    keys = list(store.client.scan_iter(f"{prefix}:*"))
    if keys:
        store.client.delete(*keys)


@pytest.fixture
def catalog(db):
    """Two departments; products named by what they are; every one in stock."""
    shoes = CategoryPageFactory(title="Shoes", slug="shoes")
    boots = CategoryPageFactory(title="Boots", slug="boots", parent=shoes)
    sneakers = CategoryPageFactory(title="Sneakers", slug="sneakers", parent=shoes)
    clothing = CategoryPageFactory(title="Clothing", slug="clothing")
    tops = CategoryPageFactory(title="Tops", slug="tops", parent=clothing)
    specs = [
        ("men-boot-1", boots, "men", "leather", "Brown", "120.00"),
        ("men-boot-2", boots, "men", "leather", "Brown", "130.00"),
        ("men-boot-3", boots, "men", "suede", "Black", "110.00"),
        ("women-boot-1", boots, "women", "leather", "Black", "125.00"),
        ("women-boot-2", boots, "women", "suede", "Beige", "135.00"),
        ("men-sneaker-1", sneakers, "men", "canvas", "White", "60.00"),
        ("women-sneaker-1", sneakers, "women", "canvas", "White", "65.00"),
        ("men-top-1", tops, "men", "cotton", "Navy", "25.00"),
        ("women-top-1", tops, "women", "linen", "White", "30.00"),
        ("unisex-top-1", tops, "unisex", "cotton", "Grey", "20.00"),
    ]
    products = {}
    for slug, parent, gender, material, color, price in specs:
        kind = slug.split("-")[1]
        product = ProductPageFactory(
            title=f"{gender.title()} {material} {kind}",
            slug=slug,
            parent=parent,
            gender=gender,
            material=material,
            brand="Acme",
            description=f"<p>A {material} {kind}.</p>",
        )
        VariantFactory(product=product, color=color, price=Decimal(price))
        products[slug] = product
    return {
        "products": products,
        "categories": {
            "shoes": shoes,
            "boots": boots,
            "sneakers": sneakers,
            "clothing": clothing,
            "tops": tops,
        },
    }
