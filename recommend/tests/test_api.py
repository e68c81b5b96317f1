from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cms.factories import ProductImageFactory
from recommend import pipeline
from recommend.models import Interaction
from recommend.store import get_store
from shop.accounts.factories import UserFactory
from shop.settings.base import redis_cache
from shop.stock.models import Stock

BASE = "/api/v1/recommendations"


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def trained(catalog):
    """The catalog with a little history, trained: men's boot 1 sells best, then
    men's boot 2 (bought with it twice), then women's boot 1."""
    products = catalog["products"]
    purchases = {"a": ["men-boot-1", "men-boot-2"], "b": ["men-boot-1", "men-boot-2"]}
    purchases["c"] = ["men-boot-1", "women-boot-1"]
    for session_id, bought in purchases.items():
        for slug in bought:
            Interaction.objects.create(
                session_id=session_id,
                product=products[slug],
                kind="purchase",
                created_at=timezone.now() - timedelta(days=1),
            )
    pipeline.train_now()
    return catalog


def slugs(catalog, response):
    assert response.status_code == 200, response.json()
    by_pk = {product.pk: slug for slug, product in catalog["products"].items()}
    return [by_pk[row["id"]] for row in response.json()["results"]]


def interact(product, kind, *, user=None, session_id=""):
    Interaction.objects.create(
        user=user,
        session_id=session_id,
        product=product,
        kind=kind,
        created_at=timezone.now() - timedelta(hours=1),
    )


def get(client, path, **params):
    return client.get(f"{BASE}/{path}/", params)


def test_similar_products_with_their_summaries(client, trained):
    products = trained["products"]

    response = get(client, f"similar/{products['men-boot-1'].pk}", limit=3)

    # then the closest boot, the boot bought with it, the other men's boot
    body = response.json()
    assert body["fallback"] is False
    assert body["version"] == get_store().current()
    assert slugs(trained, response) == ["men-boot-2", "women-boot-1", "men-boot-3"]
    result = body["results"][0]
    assert result == {
        "id": products["men-boot-2"].pk,
        "title": "Men leather boot",
        "slug": "men-boot-2",
        "url": "http://localhost/shoes/boots/men-boot-2/",
        "brand": "Acme",
        "gender": "men",
        "material": result["material"],
        "price": {"amount": "130.00", "currency": "USD"},
        "compare_at_price": None,
        "in_stock": True,
        "rating": {"average": "0.00", "count": 0},
        "main_image": None,
        "category": trained["categories"]["boots"].pk,
        "score": 0.6166,
    }


@pytest.mark.parametrize("product_id", ["999999", "99999999999999999999"])
def test_similar_to_an_unknown_product_is_a_404(client, trained, product_id):
    response = get(client, f"similar/{product_id}")

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": f"No product with id {product_id}.",
            "fields": {},
            "detail": None,
        }
    }


def test_popular_products_overall_and_in_a_category(client, trained):
    categories = trained["categories"]

    overall = get(client, "popular", limit=4)
    in_shoes = get(client, "popular", category=categories["shoes"].pk, limit=3)
    in_tops = get(client, "popular", category=categories["tops"].pk)

    assert slugs(trained, overall) == [
        "men-boot-1",
        "men-boot-2",
        "women-boot-1",
        "men-boot-3",
    ]
    assert slugs(trained, in_shoes) == ["men-boot-1", "men-boot-2", "women-boot-1"]
    # Nothing sold in tops: all of them, equally unpopular.
    assert slugs(trained, in_tops) == ["men-top-1", "women-top-1", "unisex-top-1"]


def test_filters_narrow_the_list(client, trained):
    products = trained["products"]
    boot = f"similar/{products['men-boot-1'].pk}"
    Stock.objects.filter(variant__product=products["men-boot-2"]).update(quantity=0)

    women = get(client, boot, gender="women")
    cheap = get(client, boot, price_min="20", price_max="60.00")
    tops = get(client, boot, category=trained["categories"]["tops"].pk)
    in_stock = get(client, boot, in_stock="true", limit=2)

    # then similar products first, popular ones after (score 0)
    assert slugs(trained, women) == [
        "women-boot-1",
        "women-boot-2",
        "women-sneaker-1",
        "women-top-1",
    ]
    assert slugs(trained, cheap) == [
        "men-sneaker-1",
        "men-top-1",
        "women-top-1",
        "unisex-top-1",
    ]
    assert slugs(trained, tops) == ["men-top-1", "women-top-1", "unisex-top-1"]
    assert slugs(trained, in_stock) == ["women-boot-1", "men-boot-3"]


def test_for_me_follows_a_signed_in_shopper(client, trained):
    products = trained["products"]
    shopper = UserFactory()
    interact(products["women-top-1"], "cart_add", user=shopper)
    client.force_login(shopper)

    response = get(client, "for-me", limit=3)

    assert slugs(trained, response) == ["men-top-1", "unisex-top-1", "men-boot-1"]
    assert response.json()["fallback"] is False


def test_for_me_follows_an_anonymous_session_by_header_or_parameter(client, trained):
    interact(trained["products"]["men-sneaker-1"], "view", session_id="abc-1")

    by_header = client.get(f"{BASE}/for-me/?limit=3", HTTP_X_SESSION_ID="abc-1")
    by_parameter = get(client, "for-me", limit=3, session_id="abc-1")
    stranger = get(client, "for-me", limit=3, session_id="nobody")

    # the bestseller (content and popularity), the other sneaker (content)
    expected = ["men-boot-1", "women-sneaker-1", "men-boot-2"]
    assert slugs(trained, by_header) == slugs(trained, by_parameter) == expected
    # Without history: the popular list.
    assert slugs(trained, stranger) == ["men-boot-1", "men-boot-2", "women-boot-1"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        (
            {"limit": "0"},
            {"limit": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"limit": "51"},
            {"limit": ["Ensure this value is less than or equal to 50."]},
        ),
        ({"limit": "many"}, {"limit": ["A valid integer is required."]}),
        (
            {"gender": "kids"},
            {
                "gender": [
                    "Select a valid choice. kids is not one of the available choices."
                ]
            },
        ),
        (
            {"price_min": "-1"},
            {"price_min": ["Ensure this value is greater than or equal to 0."]},
        ),
        ({"price_max": "cheap"}, {"price_max": ["Enter a number."]}),
        (
            {"in_stock": "maybe"},
            {
                "in_stock": [
                    "Select a valid choice. maybe is not one of the available choices."
                ]
            },
        ),
        (
            {"category": "999999"},
            {"category": ["No category with id or slug '999999'."]},
        ),
        (
            {"session_id": "no spaces"},
            {"session_id": ["1 to 64 letters, digits or -_.: characters."]},
        ),
    ],
)
def test_bad_parameters_are_a_400(client, catalog, params, fields):
    response = get(client, "for-me", **params)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Invalid input.",
            "fields": fields,
            "detail": None,
        }
    }


def test_a_store_outage_answers_with_database_popularity(client, trained, settings):
    # given a store that cannot be reached (nothing listens on port 1)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    boot = trained["products"]["men-boot-1"]

    similar = get(client, f"similar/{boot.pk}", limit=3)
    popular = get(client, "popular", limit=3)
    for_me = get(client, "for-me", limit=3, session_id="abc-1")

    # then popularity kept by training, flagged, never an error
    for response in (similar, popular, for_me):
        assert response.json()["fallback"] is True
        assert response.json()["version"] is None
    assert slugs(trained, similar) == ["men-boot-2", "women-boot-1", "men-boot-3"]
    assert slugs(trained, popular) == ["men-boot-1", "men-boot-2", "women-boot-1"]


def shape(value):
    """The keys and value types of a JSON value, recursively."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def test_every_recommendation_is_the_catalogs_product_card(client, trained):
    # given a product with an image, in every list
    boot = trained["products"]["men-boot-2"]
    ProductImageFactory(product=boot, alt_text="A boot")
    interact(boot, "view", session_id="abc-1")
    listed = client.get("/api/v1/products/", {"q": "leather"}).json()["results"]
    card = next(item for item in listed if item["id"] == boot.pk)
    lookups = {
        "similar": f"similar/{trained['products']['men-boot-1'].pk}",
        "popular": "popular",
        "for-me": "for-me",
    }

    for name, path in lookups.items():
        results = get(client, path, session_id="abc-1", limit=50).json()["results"]
        recommended = next(item for item in results if item["id"] == boot.pk)
        score = recommended.pop("score")

        # then the same card: same keys, same types, the same values even
        assert shape(recommended) == shape(card), name
        assert recommended == card, name
        assert isinstance(score, float)
    assert card["main_image"]["url"].startswith("http://testserver/media/")
    assert card["main_image"]["renditions"]["thumbnail"]["url"].startswith(
        "http://testserver/media/images/"
    )


def test_before_the_first_training_lookups_fall_back(client, catalog):
    response = get(client, "popular", limit=2)

    assert response.json()["fallback"] is True
    assert len(response.json()["results"]) == 2


@pytest.fixture
def store_reads(monkeypatch):
    """Counts the store's round trips (the real store answers)."""
    store = get_store()
    calls = []
    read = store.read

    def counted(fields):
        calls.append(fields)
        return read(fields)

    monkeypatch.setattr(store, "read", counted)
    return calls


def lookups(trained):
    products, categories = trained["products"], trained["categories"]
    return {
        "similar": f"similar/{products['men-boot-1'].pk}/?gender=men&in_stock=true",
        "popular": f"popular/?category={categories['shoes'].pk}&price_max=200",
        "for-me": "for-me/?session_id=abc-1",
    }


# Queries per lookup: similar = the product's existence + the summaries;
# popular with a category = the category's existence + the summaries;
# for-me = the shopper's history + the summaries.
# Then the cards: the page, and its images (renditions too when there are any).
LOOKUP_QUERIES = {"similar": 3, "popular": 3, "for-me": 3}


@pytest.mark.parametrize("name", sorted(LOOKUP_QUERIES))
def test_lookups_cost_one_store_read_and_fixed_queries_whatever_the_limit(
    client, trained, django_assert_num_queries, store_reads, name
):
    interact(trained["products"]["men-boot-3"], "view", session_id="abc-1")
    path = lookups(trained)[name]
    client.get(f"{BASE}/{path}")  # warms the site root paths cache
    store_reads.clear()

    with django_assert_num_queries(LOOKUP_QUERIES[name]):
        one = client.get(f"{BASE}/{path}&limit=1")
    with django_assert_num_queries(LOOKUP_QUERIES[name]):
        fifty = client.get(f"{BASE}/{path}&limit=50")

    assert len(store_reads) == 2
    assert len(one.json()["results"]) == 1
    assert len(fifty.json()["results"]) > 1


def test_lookups_survive_a_redis_outage_of_the_cache_too(client, trained, settings):
    # given Redis down for the store and for the Django cache alike
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {"default": redis_cache(settings.REDIS_URL, socket_timeout=0.2)}

    response = get(client, "popular", limit=2)

    assert response.json()["fallback"] is True
    assert response.json()["results"][0]["url"] == (
        "http://localhost/shoes/boots/men-boot-1/"
    )


def test_a_repeated_lookup_is_answered_from_the_cache(
    client, trained, django_assert_num_queries, store_reads
):
    paths = lookups(trained)
    first = {name: client.get(f"{BASE}/{path}") for name, path in paths.items()}
    store_reads.clear()

    with django_assert_num_queries(0):
        again = {name: client.get(f"{BASE}/{path}") for name, path in paths.items()}

    assert store_reads == []
    assert {name: r.content for name, r in again.items()} == {
        name: r.content for name, r in first.items()
    }
    assert {name: r["Cache-Control"] for name, r in again.items()} == {
        "similar": "no-cache",
        "popular": "no-cache",
        "for-me": "private, no-cache",
    }


def test_for_me_follows_the_history_recorded_through_the_events_api(
    client, trained, django_capture_on_commit_callbacks
):
    products = trained["products"]
    before = get(client, "for-me", limit=3, session_id="abc-9")

    with django_capture_on_commit_callbacks(execute=True):
        recorded = client.post(
            "/api/v1/events/",
            {"events": [{"kind": "cart_add", "product": products["women-top-1"].pk}]},
            format="json",
            HTTP_X_SESSION_ID="abc-9",
        )
    after = get(client, "for-me", limit=3, session_id="abc-9")
    # ?format=json is never answered from the cache.
    built = get(client, "for-me", limit=3, session_id="abc-9", format="json")

    assert recorded.status_code == 201
    assert slugs(trained, after) == slugs(trained, built)
    assert slugs(trained, after) != slugs(trained, before)


def test_a_published_training_run_renews_the_cached_lookups(
    client, trained, django_capture_on_commit_callbacks
):
    products = trained["products"]
    path = f"similar/{products['men-boot-1'].pk}"
    before = get(client, path, limit=3).json()["version"]

    with django_capture_on_commit_callbacks(execute=True):
        version = pipeline.train_now()

    assert get(client, path, limit=3).json()["version"] == version != before
