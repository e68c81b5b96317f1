"""The Stock admin (in the Catalog menu): listing, filters, and quantities set
through the stock service, which announces a variant running out or coming back."""

import pytest
from django.urls import reverse

from cms.factories import VariantFactory
from cms.models import Variant
from shop.webhooks.tests.outbox import outbox, subscribe

pytestmark = pytest.mark.django_db

STOCK_URL = "/admin/catalog_stock/"


def listed(response):
    """The objects on the current page of an admin listing."""
    return list(response.context["object_list"])


def stock_event(variant, event, available):
    return (
        event,
        {
            "variant_id": variant.pk,
            "sku": variant.sku,
            "product_id": variant.product_id,
            "quantity_available": available,
        },
    )


def six_of_ten_allocated():
    stock = VariantFactory(stock=10).stock
    stock.quantity_allocated = 6
    stock.save()
    return stock


class TestStockAdmin:
    def test_list_and_availability_filters(self, admin_client):
        plenty = VariantFactory(sku="PLENTY", stock=50).stock
        low = VariantFactory(sku="LOW", stock=8).stock
        low.quantity_allocated = 4
        low.save()
        sold_out = VariantFactory(sku="GONE", stock=3).stock
        sold_out.quantity_allocated = 3
        sold_out.save()

        everything = admin_client.get(STOCK_URL)
        out = admin_client.get(STOCK_URL, {"availability": "out"})
        low_only = admin_client.get(STOCK_URL, {"availability": "low"})
        searched = admin_client.get(STOCK_URL, {"q": "plen"})

        assert everything.status_code == 200
        assert listed(everything) == [sold_out, low, plenty]
        assert listed(out) == [sold_out]
        assert listed(low_only) == [low]
        assert listed(searched) == [plenty]

    def test_quantity_below_allocated_is_a_form_error(self, admin_client):
        subscribe("variant_out_of_stock")
        stock = six_of_ten_allocated()
        url = reverse("catalog_stock:edit", args=(stock.pk,))

        response = admin_client.post(url, {"quantity": "5"})

        stock.refresh_from_db()
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "quantity": [
                "6 units are allocated to orders; the quantity cannot go below 6."
            ]
        }
        assert stock.quantity == 10
        assert outbox() == []

    def test_quantity_at_or_above_allocated_is_saved(self, admin_client):
        # Setting it to what is allocated leaves nothing available.
        subscribe("variant_out_of_stock")
        stock = six_of_ten_allocated()
        url = reverse("catalog_stock:edit", args=(stock.pk,))

        response = admin_client.post(url, {"quantity": "6"})

        stock.refresh_from_db()
        assert response.status_code == 302
        assert (stock.quantity, stock.quantity_allocated) == (6, 6)
        assert outbox() == [stock_event(stock.variant, "variant_out_of_stock", 0)]

    def test_stock_can_be_added_only_for_variants_without_one(self, admin_client):
        # A variant without stock had none available: stocking it brings it back.
        subscribe("variant_back_in_stock")
        stocked = VariantFactory(sku="STOCKED")
        bare = VariantFactory(sku="BARE")
        bare.stock.delete()
        url = reverse("catalog_stock:add")

        offered = list(admin_client.get(url).context["form"].fields["variant"].queryset)
        response = admin_client.post(url, {"variant": bare.pk, "quantity": "4"})

        assert offered == [bare]
        assert stocked not in offered
        assert response.status_code == 302
        assert Variant.objects.get(pk=bare.pk).stock.quantity == 4
        assert outbox() == [stock_event(bare, "variant_back_in_stock", 4)]

    def test_negative_quantity_is_a_form_error(self, admin_client):
        stock = VariantFactory(stock=10).stock

        response = admin_client.post(
            reverse("catalog_stock:edit", args=(stock.pk,)), {"quantity": "-1"}
        )

        assert response.status_code == 200
        assert "quantity" in response.context["form"].errors


def test_setting_stock_to_zero_and_back_announces_both(admin_client):
    subscribe("variant_out_of_stock", "variant_back_in_stock")
    variant = VariantFactory(stock=4)
    url = reverse("catalog_stock:edit", args=(variant.stock.pk,))

    emptied = admin_client.post(url, {"quantity": "0"})
    still_empty = admin_client.post(url, {"quantity": "0"})
    refilled = admin_client.post(url, {"quantity": "7"})
    more = admin_client.post(url, {"quantity": "9"})

    assert [r.status_code for r in (emptied, still_empty, refilled, more)] == [302] * 4
    # Only the crossings of zero are events.
    assert outbox() == [
        stock_event(variant, "variant_out_of_stock", 0),
        stock_event(variant, "variant_back_in_stock", 7),
    ]


def make_rows(start, stop):
    for number in range(start, stop):
        VariantFactory(sku=f"ROW-{number:03d}")


def test_list_queries_do_not_grow_with_rows(admin_client, django_assert_num_queries):
    # session, user, profile, site (theme), count, locale, two pages for the
    # menu, the rows.
    make_rows(0, 3)
    admin_client.get(STOCK_URL)
    with django_assert_num_queries(9):
        few = admin_client.get(STOCK_URL)
    make_rows(3, 30)
    with django_assert_num_queries(9):
        many = admin_client.get(STOCK_URL)

    assert len(listed(few)) == 3
    assert len(listed(many)) == 30
