from decimal import Decimal

import pytest
from django.urls import reverse

from cms.factories import ProductPageFactory
from shop.discounts.factories import VoucherFactory
from shop.discounts.models import Voucher

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {
        "code": "summer10",
        "name": "Summer sale",
        "type": "percentage",
        "value": "10",
        "currency": "usd",
        "scope": "order",
        "starts_at": "2026-06-01 00:00",
        "ends_at": "",
        "min_order_value": "",
        "usage_limit": "100",
        "usage_limit_per_customer": "1",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_staff_create_a_voucher_with_its_code_upper_cased(admin_client):
    response = admin_client.post(reverse("vouchers:add"), form_data(used_count="7"))

    assert response.status_code == 302
    voucher = Voucher.objects.get()
    assert (
        voucher.code,
        voucher.currency,
        voucher.value,
        voucher.usage_limit,
        voucher.usage_limit_per_customer,
        voucher.used_count,
    ) == ("SUMMER10", "USD", Decimal("10.00"), 100, 1, 0)


def test_a_product_voucher_keeps_its_products(admin_client):
    shoe = ProductPageFactory(title="Racer")

    response = admin_client.post(
        reverse("vouchers:add"),
        form_data(scope="lines", type="fixed", value="5", products=[shoe.pk]),
    )

    assert response.status_code == 302
    assert list(Voucher.objects.get().products.all()) == [shoe]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"scope": "lines"},
            {"scope": ["Choose the products or categories the voucher applies to."]},
        ),
        ({"value": "150"}, {"value": ["A percentage cannot be above 100."]}),
        ({"value": "0"}, {"value": ["The value must be above zero."]}),
        (
            {"starts_at": "2026-06-01 00:00", "ends_at": "2026-05-01 00:00"},
            {"ends_at": ["The end must be after the start."]},
        ),
        ({"code": "Taken"}, {"code": ["Voucher with this Code already exists."]}),
        ({"currency": "U$"}, {"currency": ["Enter a three-letter ISO 4217 code."]}),
    ],
)
def test_invalid_vouchers_are_refused(admin_client, changes, errors):
    VoucherFactory(code="TAKEN")

    response = admin_client.post(reverse("vouchers:add"), form_data(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Voucher.objects.count() == 1


def test_the_limit_cannot_go_below_the_uses_already_made(admin_client):
    voucher = VoucherFactory(code="USED", usage_limit=10, used_count=4)

    response = admin_client.post(
        reverse("vouchers:edit", args=(voucher.pk,)),
        form_data(code="USED", usage_limit="3"),
    )

    assert response.context["form"].errors == {
        "usage_limit": ["The voucher was already used 4 times."]
    }
    voucher.refresh_from_db()
    assert (voucher.usage_limit, voucher.used_count) == (10, 4)


def test_the_list_filters_and_searches(admin_client):
    VoucherFactory(code="ALPHA", is_active=True, scope="shipping")
    VoucherFactory(code="BETA", is_active=False)
    VoucherFactory(code="GAMMA", type="fixed", value=Decimal("5"))
    url = reverse("vouchers:index")

    def codes(query):
        response = admin_client.get(url, query)
        return sorted(v.code for v in response.context["object_list"])

    assert codes({}) == ["ALPHA", "BETA", "GAMMA"]
    assert codes({"is_active": "false"}) == ["BETA"]
    assert codes({"scope": "shipping"}) == ["ALPHA"]
    assert codes({"type": "fixed"}) == ["GAMMA"]
    assert codes({"q": "alp"}) == ["ALPHA"]


def test_the_inspect_page_shows_the_uses(admin_client):
    voucher = VoucherFactory(code="SEEN", usage_limit=9, used_count=3)

    page = admin_client.get(reverse("vouchers:inspect", args=(voucher.pk,)))

    assert page.status_code == 200
    fields = {f["label"]: str(f["value"]) for f in page.context["fields"]}
    assert (fields["Used count"], fields["Usage limit"]) == ("3", "9")
