"""The embedded default (`make run`: no Redis, a database cache limited to 300
entries) keeps serving its trained model however busy the storefront is: the
model lives in its own table, where no cache entry can evict it."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.template import engines

from cms.factories import ProductImageFactory
from recommend import pipeline

API = "/api/v1"


@pytest.fixture
def embedded(settings, db):
    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "embedded_default_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    settings.DEFAULT_THEME = "default"
    settings.THEMES_DIR = settings.BASE_DIR / "themes"
    for loader in engines["django"].engine.template_loaders:
        loader.reset()


def test_five_hundred_product_page_views_keep_the_model(embedded, catalog, client):
    # given a catalog with images (their renditions fill the cache) and a model
    products = list(catalog["products"].values())
    for product in products:
        ProductImageFactory(product=product)
    pipeline.train_now()
    # when the storefront serves 500 product page views
    for view in range(500):
        response = client.get(products[view % len(products)].url)
        assert response.status_code == 200
    # and, worse than any eviction, the whole cache is emptied
    assert cache._max_entries == 300
    cache.clear()
    # then recommendations still come from the model, not the fallback
    for product in products:
        response = client.get(f"{API}/recommendations/similar/{product.pk}/")
        assert response.status_code == 200
        assert response.json()["fallback"] is False
