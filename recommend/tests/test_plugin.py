import pytest
from django.db import transaction

from cms.factories import VariantFactory
from recommend.models import Interaction
from recommend.store import get_store
from shop.accounts.factories import UserFactory
from shop.checkout import services as checkout_services
from shop.checkout.factories import (
    SUCCESS_CARD,
    configure_shop_plugins,
    make_checkout,
)
from shop.plugins.manager import (
    get_plugins_manager,
    invalidate_plugins_manager,
)


def order(order_id, user_id, *variants):
    """An order_created payload as shop.orders.services.order_payload builds it
    (the keys this plugin reads)."""
    return {
        "id": order_id,
        "number": str(1000 + order_id),
        "email": "ada@example.com",
        "user_id": user_id,
        "lines": [
            {"name": variant.product.title, "variant_id": variant.pk, "quantity": 1}
            for variant in variants
        ],
    }


def purchases():
    return list(
        Interaction.objects.order_by("product__slug").values_list(
            "product__slug", "kind", "user__email", "session_id"
        )
    )


def test_the_plugin_is_on_by_default(db):
    plugin = get_plugins_manager().get_plugin("recommendations")

    assert plugin is not None
    assert plugin.active is True


def test_an_order_records_a_purchase_per_product(catalog):
    products = catalog["products"]
    shopper = UserFactory(email="ada@example.com")
    boot = products["men-boot-1"].variants.get()
    second_boot_variant = VariantFactory(product=products["men-boot-1"], color="Tan")
    top = products["men-top-1"].variants.get()

    get_plugins_manager().order_created(
        order(7, shopper.pk, boot, second_boot_variant, top)
    )

    # then one purchase per product, not per line
    assert purchases() == [
        ("men-boot-1", "purchase", "ada@example.com", ""),
        ("men-top-1", "purchase", "ada@example.com", ""),
    ]


def test_a_guest_order_counts_as_its_own_session(catalog):
    boot = catalog["products"]["women-boot-1"].variants.get()

    get_plugins_manager().order_created(order(8, None, boot))

    assert purchases() == [("women-boot-1", "purchase", None, "order-8")]


def test_lines_without_a_live_product_are_skipped(catalog):
    products = catalog["products"]
    gone = products["women-top-1"]
    gone.unpublish()

    get_plugins_manager().order_created(
        order(9, None, gone.variants.get(), products["men-top-1"].variants.get()),
    )

    assert purchases() == [("men-top-1", "purchase", None, "order-9")]


def test_publishing_a_product_retrains_after_commit(
    catalog, django_capture_on_commit_callbacks
):
    store = get_store()
    product = catalog["products"]["men-top-1"]

    with django_capture_on_commit_callbacks(execute=True):
        product.save_revision().publish()
        assert store.current() is None

    # then (tasks run eagerly in tests) a version is published
    assert store.current() is not None


def test_unpublishing_a_product_retrains_too(
    catalog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        catalog["products"]["men-top-1"].unpublish()

    assert get_store().current() is not None


def test_a_publish_that_rolls_back_schedules_nothing(
    catalog, django_capture_on_commit_callbacks
):
    product = catalog["products"]["men-top-1"]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            product.save_revision().publish()
            raise RuntimeError

    assert callbacks == []
    assert get_store().current() is None


@pytest.fixture
def shop_plugins(db):
    yield configure_shop_plugins()
    invalidate_plugins_manager()


def test_a_completed_checkout_records_its_purchases(catalog, shop_plugins):
    # given the shop's plugins configured and a checkout of a boot and a top
    shopper = UserFactory(email="ada@example.com")
    products = catalog["products"]
    checkout = make_checkout(
        [
            (products["men-boot-1"].variants.get(), 1),
            (products["men-top-1"].variants.get(), 2),
        ],
        user=shopper,
    )

    # when it is completed
    checkout_services.complete_checkout(
        checkout, "key-1", "dummy-payment", SUCCESS_CARD
    )
    invalidate_plugins_manager()

    # then the order's products are the shopper's purchases
    assert purchases() == [
        ("men-boot-1", "purchase", "ada@example.com", ""),
        ("men-top-1", "purchase", "ada@example.com", ""),
    ]
