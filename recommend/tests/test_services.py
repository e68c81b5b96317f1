import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms import selectors
from cms.factories import ProductPageFactory, VariantFactory
from cms.filters import ProductFilter
from recommend import pipeline, services
from recommend.models import Interaction
from recommend.store import get_store
from shop.accounts.factories import UserFactory


def interact(product, kind, *, user=None, session_id="", days_ago=1.0):
    Interaction.objects.create(
        user=user,
        session_id=session_id,
        product=product,
        kind=kind,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def catalog_filtered(**filters):
    """The catalog narrowed by the product list's own filters."""
    return ProductFilter(filters, queryset=selectors.catalog_products()).qs


def slugs(catalog, ranked, limit=20, filters=None):
    by_pk = {product.pk: slug for slug, product in catalog["products"].items()}
    products = services.ranked_products(
        ranked, catalog_filtered(**(filters or {})), limit=limit
    )
    return [by_pk.get(product.pk, product.title) for product in products]


def test_similar_products_share_category_and_gender(catalog):
    pipeline.train_now()

    similar = slugs(catalog, services.similar_ids(catalog["products"]["men-boot-1"].pk))

    assert similar[:2] == ["men-boot-2", "men-boot-3"]
    assert "men-boot-1" not in similar


def test_bought_together_lifts_a_product_in_similar(catalog):
    # given shoppers who buy the men's boot 1 with the men's top
    products = catalog["products"]
    for number in range(4):
        interact(products["men-boot-1"], "purchase", session_id=f"s{number}")
        interact(products["men-top-1"], "purchase", session_id=f"s{number}")
    pipeline.train_now()

    # when / then the top (another department: no content score at all)
    # enters the list on co-occurrence alone, which four shoppers make worth
    # 4 / (4 + shrink 5) of a full cosine: ahead of the women's sneaker
    similar = slugs(catalog, services.similar_ids(products["men-boot-1"].pk))
    assert similar[:7] == [
        "men-boot-2",
        "men-boot-3",
        "women-boot-1",
        "women-boot-2",
        "men-sneaker-1",
        "men-top-1",
        "women-sneaker-1",
    ]


def test_personal_recommendations_follow_the_history(catalog):
    # given a shopper who looks at women's boots and bought a women's sneaker
    products = catalog["products"]
    shopper = UserFactory()
    interact(products["women-boot-1"], "view", user=shopper, days_ago=2)
    interact(products["women-boot-1"], "cart_add", user=shopper, days_ago=2)
    interact(products["women-sneaker-1"], "purchase", user=shopper, days_ago=5)
    pipeline.train_now()

    # when
    ranked = services.for_shopper_ids(user_id=shopper.pk)

    # then shoes like hers first, the purchased sneaker left out
    assert slugs(catalog, ranked, limit=3) == [
        "women-boot-1",
        "women-boot-2",
        "men-sneaker-1",
    ]
    assert "women-sneaker-1" not in slugs(catalog, ranked)
    assert ranked.fallback is False


def test_a_consumable_purchase_can_be_recommended_again(catalog):
    products = catalog["products"]
    products["women-sneaker-1"].tags.add("consumable")
    products["women-sneaker-1"].save()
    shopper = UserFactory()
    interact(products["women-sneaker-1"], "purchase", user=shopper)
    pipeline.train_now()

    ranked = services.for_shopper_ids(user_id=shopper.pk)

    assert "women-sneaker-1" in slugs(catalog, ranked)


def test_anonymous_sessions_are_personalised(catalog):
    products = catalog["products"]
    interact(products["men-top-1"], "view", session_id="anon-1")
    pipeline.train_now()

    ranked = services.for_shopper_ids(session_id="anon-1")

    # The other tops, then the popular products (the viewed top, the only one).
    assert slugs(catalog, ranked, limit=3) == [
        "unisex-top-1",
        "women-top-1",
        "men-top-1",
    ]


def test_a_new_product_without_interactions_is_recommended(catalog):
    products = catalog["products"]
    for number in range(3):
        interact(products["men-boot-2"], "purchase", session_id=f"s{number}")
    newcomer = ProductPageFactory(
        title="Men leather boot",
        slug="men-boot-new",
        parent=catalog["categories"]["boots"],
        gender="men",
        material="leather",
        brand="Acme",
        description="<p>A leather boot.</p>",
    )
    VariantFactory(product=newcomer, color="Brown", price=Decimal("125.00"))
    pipeline.train_now()

    similar = slugs(catalog, services.similar_ids(products["men-boot-1"].pk))

    # The newcomer on content alone, as alike as the popular boot: popularity
    # does not reorder similar products (BLEND popularity 0).
    assert similar[:2] == ["Men leather boot", "men-boot-2"]


def test_popular_lists_per_category_and_overall(catalog):
    products = catalog["products"]
    for number, slug in enumerate(["women-top-1", "men-boot-3", "men-boot-3"]):
        interact(products[slug], "purchase", session_id=f"s{number}")
    pipeline.train_now()

    overall = slugs(catalog, services.popular_ids(), limit=2)
    boots = slugs(
        catalog, services.popular_ids(catalog["categories"]["shoes"].pk), limit=1
    )

    assert overall == ["men-boot-3", "women-top-1"]
    assert boots == ["men-boot-3"]
    products["men-boot-3"].refresh_from_db()
    assert products["men-boot-3"].popularity == pytest.approx(9.67, abs=0.01)


def test_filters_apply_at_lookup_time(catalog):
    products = catalog["products"]
    categories = catalog["categories"]
    pipeline.train_now()
    ranked = services.popular_ids()

    def only(**filters):
        return sorted(slugs(catalog, ranked, filters=filters))

    assert only(category=categories["sneakers"].pk) == [
        "men-sneaker-1",
        "women-sneaker-1",
    ]
    assert only(category=categories["clothing"].pk, gender="women") == ["women-top-1"]
    assert only(price_min="60.00", price_max="65.00") == [
        "men-sneaker-1",
        "women-sneaker-1",
    ]
    # Out of stock, unpublished, or without an active variant: left out.
    products["men-top-1"].variants.get().stock.__class__.objects.filter(
        variant__product=products["men-top-1"]
    ).update(quantity=0)
    products["women-top-1"].unpublish()
    products["unisex-top-1"].variants.update(is_active=False)
    assert only(category=categories["tops"].pk) == ["men-top-1"]
    assert only(category=categories["tops"].pk, in_stock="true") == []


def test_lookups_cost_one_round_trip_and_one_query(catalog, django_assert_num_queries):
    products = catalog["products"]
    shopper = UserFactory()
    interact(products["men-boot-1"], "view", user=shopper)
    pipeline.train_now()

    with django_assert_num_queries(0):
        similar = services.similar_ids(products["men-boot-1"].pk)
        services.popular_ids(catalog["categories"]["boots"].pk)
    with django_assert_num_queries(1):
        mine = services.for_shopper_ids(user_id=shopper.pk)
    for limit in (1, 5, 20):
        men_in_stock = catalog_filtered(in_stock="true", gender="men")
        with django_assert_num_queries(1):
            services.ranked_products(similar, men_in_stock, limit=limit)
        with django_assert_num_queries(1):
            services.ranked_products(mine, selectors.catalog_products(), limit=limit)


def test_training_tunes_the_personal_blend_and_serves_it(catalog, settings):
    # given 60 shoppers who each go men's boot 1 -> women's top -> men's top:
    # what comes next is the signal, content alone would say "another boot"
    products = catalog["products"]
    path = ["men-boot-1", "women-top-1", "men-top-1"]
    for shopper in range(60):
        for step, slug in enumerate(path):
            interact(
                products[slug], "view", session_id=f"s{shopper}", days_ago=3 - step
            )
    settings.RECOMMEND = {**settings.RECOMMEND, "TUNE_MIN_SHOPPERS": 50}

    pipeline.train_now()

    # then training records what it chose, with its validation score
    model = json.loads(get_store().read(["model"])[1][0])
    assert model["tuned"] is True
    assert model["validation_shoppers"] == 60
    assert model["validation_ndcg"] == 1.0
    assert model["weights"]["next"] > 0
    # and a shopper on the first step is shown the next one first
    interact(products["men-boot-1"], "view", session_id="new")
    ranked = services.for_shopper_ids(session_id="new")
    assert slugs(catalog, ranked)[0] == "women-top-1"


def test_with_too_little_data_training_keeps_the_defaults(catalog, settings):
    interact(catalog["products"]["men-boot-1"], "view", session_id="one")
    interact(catalog["products"]["men-boot-2"], "view", session_id="one", days_ago=0.5)

    pipeline.train_now()

    model = json.loads(get_store().read(["model"])[1][0])
    assert model == {
        "weights": settings.RECOMMEND["PERSONAL"],
        "half_life_items": settings.RECOMMEND["HISTORY_HALF_LIFE_ITEMS"],
        "validation_ndcg": 0.0,
        "default_validation_ndcg": 0.0,
        "validation_shoppers": 1,
        "tuned": False,
    }
