import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.blocks.struct_block import StructBlockValidationError

from cms.blocks import RecommendationsBlock
from cms.factories import CategoryPageFactory, add_product, home_page
from recommend import pipeline
from recommend.models import Interaction
from shop.accounts.factories import UserFactory


def with_block(**value):
    home = home_page()
    home.body = json.dumps(
        [
            {
                "type": "recommendations",
                "value": {
                    "title": "Picked for you",
                    "source": "for_you",
                    "category": None,
                    "product": None,
                    "limit": 3,
                    **value,
                },
            }
        ]
    )
    home.save()
    return home


def shown(catalog, response):
    """Slugs of the product cards in the recommendations block, in order."""
    assert response.status_code == 200
    html = response.content.decode()
    block = html[html.index('<div class="recommendations">') :]
    block = block[: block.index("</div>")]
    assert "<h2>" in block
    return re.findall(r'<a href="/[a-z/-]*?/([a-z0-9-]+)/">', block)


def interact(product, kind, **shopper):
    Interaction.objects.create(
        product=product,
        kind=kind,
        created_at=timezone.now() - timedelta(hours=1),
        **shopper,
    )


@pytest.fixture
def bestsellers(catalog):
    products = catalog["products"]
    for number, slug in enumerate(["men-boot-1", "men-boot-1", "men-top-1"]):
        interact(products[slug], "purchase", session_id=f"buyer-{number}")
    pipeline.train_now()
    return catalog


def test_popular_in_a_category(client, bestsellers):
    home = with_block(source="popular", category=bestsellers["categories"]["tops"].pk)

    response = client.get(home.url)

    assert "<h2>Picked for you</h2>" in response.content.decode()
    assert shown(bestsellers, response) == ["men-top-1", "women-top-1", "unisex-top-1"]


def test_for_you_follows_the_anonymous_session(client, bestsellers):
    # given a browser session that looked at a women's sneaker
    session = client.session
    session["seen"] = True
    session.save()
    product = bestsellers["products"]["women-sneaker-1"]
    interact(product, "view", session_id=session.session_key)
    home = with_block(source="for_you")

    response = client.get(home.url)

    # then the other sneaker first, then the bestseller and a women's boot
    assert shown(bestsellers, response) == [
        "men-sneaker-1",
        "men-boot-1",
        "women-boot-1",
    ]


def test_for_you_follows_the_signed_in_user_within_a_category(client, bestsellers):
    shopper = UserFactory()
    interact(bestsellers["products"]["women-boot-1"], "cart_add", user=shopper)
    client.force_login(shopper)
    home = with_block(source="for_you", category=bestsellers["categories"]["boots"].pk)

    response = client.get(home.url)

    # then boots only: the bestseller, the other women's boot, a men's boot
    assert shown(bestsellers, response) == [
        "men-boot-1",
        "women-boot-2",
        "men-boot-3",
    ]


def test_without_history_for_you_is_the_popular_list(client, bestsellers):
    home = with_block(source="for_you")

    response = client.get(home.url)

    assert shown(bestsellers, response)[:2] == ["men-boot-1", "men-top-1"]


def test_similar_to_a_product(client, bestsellers):
    boot = bestsellers["products"]["men-boot-1"]
    home = with_block(source="similar", product=boot.pk, limit=2)

    response = client.get(home.url)

    assert shown(bestsellers, response) == ["men-boot-2", "men-boot-3"]


def test_similar_needs_a_product():
    block = RecommendationsBlock()
    value = block.to_python(
        {"title": "Like it", "source": "similar", "category": None, "product": None}
    )

    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)

    assert list(error.value.block_errors) == ["product"]


def test_the_product_page_shows_similar_products(client, bestsellers):
    boot = bestsellers["products"]["men-boot-1"]

    response = client.get(boot.url)

    assert [card.slug for card in response.context["also_like"]] == [
        "men-boot-2",
        "men-boot-3",
        "women-boot-1",
        "women-boot-2",
        "men-sneaker-1",
        "women-sneaker-1",
        "men-top-1",
        "women-top-1",
    ]
    assert "You may also like" in response.content.decode()


# The product page's own 16 (routing at depth 4, the page's reads; see
# cms/tests/test_templates.py), plus "you may also like": the ranked cards
# (products, images, renditions, variants), whatever their number.
PRODUCT_PAGE_QUERIES = 20


def test_product_page_queries_do_not_grow_with_variants_images_reviews(
    db, page_cache_off, client, django_assert_num_queries
):
    # given a catalog at depth 4 (home/shirts/linen) and a trained recommender
    shirts = CategoryPageFactory(parent=home_page(), title="Shirts")
    linen = CategoryPageFactory(parent=shirts, title="Linen shirts")
    add_product(shirts, "Oxford shirt", variants=2, images=2)
    add_product(linen, "Linen shirt")
    small = add_product(linen, "Small", variants=1, images=1, reviews=1)
    large = add_product(linen, "Large", variants=6, images=4, reviews=5)
    large.tags.add("a", "b", "c")
    large.save()
    pipeline.train_now()
    # The first request creates image renditions; the measured one reads them.
    for page in (small, large):
        assert client.get(page.url).status_code == 200

    with django_assert_num_queries(PRODUCT_PAGE_QUERIES):
        client.get(small.url)
    with django_assert_num_queries(PRODUCT_PAGE_QUERIES):
        response = client.get(large.url)

    assert len(response.context["variants"]) == 6
    assert len(list(response.context["reviews"])) == 5
    assert len(response.context["also_like"]) == 3


# The home page's routing and the recommendations block: one store read, then
# the ranked cards (products, images, renditions, variants).
HOME_WITH_BLOCK_QUERIES = 8


def test_the_block_costs_the_same_queries_whatever_its_length(
    client, bestsellers, django_assert_num_queries
):
    counts = []
    for limit in (2, 8):
        home = with_block(source="popular", limit=limit)
        assert client.get(home.url).status_code == 200  # warm renditions
        with django_assert_num_queries(HOME_WITH_BLOCK_QUERIES):
            response = client.get(home.url)
        counts.append(len(shown(bestsellers, response)))

    assert counts == [2, 8]
