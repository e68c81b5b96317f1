from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.cart import services
from shop.cart.models import Cart, CartLine

pytestmark = pytest.mark.django_db


def lines_of(cart):
    return list(
        CartLine.objects.filter(cart=cart)
        .order_by("id")
        .values_list("variant_id", "quantity")
    )


def test_headless_journey_builds_a_cart_by_token():
    client = APIClient()
    variant = VariantFactory(sku="TEE-M", price=Decimal("19.90"), stock=10)

    created = client.post("/api/v1/cart/")
    assert created.status_code == 201
    token = created.json()["token"]
    client.credentials(HTTP_X_CART_TOKEN=token)

    added = client.post(
        "/api/v1/cart/lines/", {"variant_id": variant.pk, "quantity": 2}, format="json"
    )

    assert added.status_code == 201
    line = CartLine.objects.get()
    assert added.json() == {
        "token": token,
        "lines": [
            {
                "id": line.pk,
                "variant": {
                    "id": variant.pk,
                    "sku": "TEE-M",
                    "size": "M",
                    "color": "black",
                    "product_id": variant.product_id,
                    "product_title": variant.product.title,
                    "product_slug": variant.product.slug,
                },
                "quantity": 2,
                "unit_price": {"amount": "19.90", "currency": "USD"},
                "line_total": {"amount": "39.80", "currency": "USD"},
                "is_available": True,
            }
        ],
        "quantity": 2,
        "subtotal": {"amount": "39.80", "currency": "USD"},
    }
    assert client.get("/api/v1/cart/").json() == added.json()

    changed = client.patch(
        f"/api/v1/cart/lines/{line.pk}/", {"quantity": 5}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["subtotal"] == {"amount": "99.50", "currency": "USD"}

    assert client.delete(f"/api/v1/cart/lines/{line.pk}/").status_code == 204
    assert client.get("/api/v1/cart/").json()["lines"] == []


def test_the_price_always_comes_from_the_variant(headless, anonymous_cart, variant):
    headless.post(
        "/api/v1/cart/lines/",
        {"variant_id": variant.pk, "quantity": 1, "price": "0.01", "unit_price": "0"},
        format="json",
    )
    variant.price = Decimal("60.00")
    variant.save()

    body = headless.get("/api/v1/cart/").json()

    sixty = {"amount": "60.00", "currency": "USD"}
    assert (body["lines"][0]["unit_price"], body["subtotal"]) == (sixty, sixty)


def test_no_cart_yet_reads_as_empty():
    assert APIClient().get("/api/v1/cart/").json() == {
        "token": None,
        "lines": [],
        "quantity": 0,
        "subtotal": {"amount": "0.00", "currency": "USD"},
    }


def test_an_unknown_token_is_a_404_not_a_new_cart(variant):
    client = APIClient()
    client.credentials(HTTP_X_CART_TOKEN="0b5e8a2a-7c1e-4c55-a0f1-2b6f5d1b8f00")

    for response in (
        client.get("/api/v1/cart/"),
        client.post(
            "/api/v1/cart/lines/",
            {"variant_id": variant.pk, "quantity": 1},
            format="json",
        ),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "cart_not_found"
    client.credentials(HTTP_X_CART_TOKEN="not-a-uuid")
    assert client.get("/api/v1/cart/").status_code == 404
    assert not Cart.objects.exists()


def test_a_users_cart_is_not_reachable_by_its_token(shopper, variant):
    mine = services.get_or_create_cart(user=shopper)
    services.add_line(mine, variant.pk, 1)
    client = APIClient()
    client.credentials(HTTP_X_CART_TOKEN=str(mine.token))

    assert client.get("/api/v1/cart/").status_code == 404
    assert client.delete("/api/v1/cart/").status_code == 404
    assert lines_of(mine) == [(variant.pk, 1)]


def test_signed_in_users_get_their_own_cart(signed_in, shopper, variant):
    signed_in.post(
        "/api/v1/cart/lines/", {"variant_id": variant.pk, "quantity": 3}, format="json"
    )

    cart = Cart.objects.get()
    assert cart.user == shopper
    assert lines_of(cart) == [(variant.pk, 3)]
    assert signed_in.get("/api/v1/cart/").json()["token"] == str(cart.token)


def test_another_users_line_is_not_found(signed_in, shopper, variant):
    services.get_or_create_cart(user=shopper)
    theirs = services.get_or_create_cart(user=UserFactory())
    line = services.add_line(theirs, variant.pk, 2)

    patched = signed_in.patch(
        f"/api/v1/cart/lines/{line.pk}/", {"quantity": 1}, format="json"
    )
    deleted = signed_in.delete(f"/api/v1/cart/lines/{line.pk}/")
    huge = signed_in.delete(f"/api/v1/cart/lines/{10**30}/")

    for response in (patched, deleted, huge):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "line_not_found"
    assert lines_of(theirs) == [(variant.pk, 2)]


def test_clear_empties_the_cart(headless, anonymous_cart, variant):
    services.add_line(anonymous_cart, variant.pk, 2)

    assert headless.delete("/api/v1/cart/").status_code == 204
    assert lines_of(anonymous_cart) == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"variant_id": "abc", "quantity": 1}, 400, "invalid"),
        ({"quantity": 1}, 400, "invalid"),
        ({"variant_id": "VARIANT"}, 400, "invalid"),
        ({"variant_id": "VARIANT", "quantity": -1}, 400, "quantity_out_of_range"),
        ({"variant_id": "VARIANT", "quantity": 0}, 400, "quantity_out_of_range"),
        ({"variant_id": "VARIANT", "quantity": 10**12}, 400, "quantity_out_of_range"),
        ({"variant_id": "VARIANT", "quantity": 1.5}, 400, "invalid"),
        ({"variant_id": "VARIANT", "quantity": "lots"}, 400, "invalid"),
        ({"variant_id": "VARIANT", "quantity": 11}, 409, "insufficient_stock"),
        ({"variant_id": 10**9, "quantity": 1}, 400, "variant_not_found"),
        ({"variant_id": 10**30, "quantity": 1}, 400, "invalid"),
    ],
)
def test_bad_lines_are_refused_and_nothing_changes(
    headless, anonymous_cart, variant, body, status, code
):
    services.add_line(anonymous_cart, variant.pk, 1)
    body = {k: variant.pk if v == "VARIANT" else v for k, v in body.items()}

    response = headless.post("/api/v1/cart/lines/", body, format="json")

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert lines_of(anonymous_cart) == [(variant.pk, 1)]


def test_quantity_errors_name_the_field(headless, variant):
    response = headless.post(
        "/api/v1/cart/lines/", {"variant_id": variant.pk, "quantity": 51}, format="json"
    )

    assert response.json()["error"] == {
        "code": "quantity_out_of_range",
        "message": "The quantity must be from 1 to 50.",
        "fields": {"quantity": ["The quantity must be from 1 to 50."]},
        "detail": None,
    }


def test_malformed_json_is_refused(headless, anonymous_cart):
    response = headless.post(
        "/api/v1/cart/lines/", '{"variant_id": 1,', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert lines_of(anonymous_cart) == []


def test_unavailable_variant_is_a_409(headless, anonymous_cart):
    variant = VariantFactory(is_active=False)

    response = headless.post(
        "/api/v1/cart/lines/", {"variant_id": variant.pk, "quantity": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "variant_unavailable",
        "message": f"{variant.sku} is not for sale.",
        "fields": {},
        "detail": {
            "variants": [{"variant_id": variant.pk, "requested": 1, "available": 0}]
        },
    }


def test_patch_refuses_negative_and_huge_quantities(headless, anonymous_cart, variant):
    line = services.add_line(anonymous_cart, variant.pk, 2)

    for quantity in (-1, 51, 10**20):
        response = headless.patch(
            f"/api/v1/cart/lines/{line.pk}/", {"quantity": quantity}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "quantity_out_of_range"
    assert lines_of(anonymous_cart) == [(variant.pk, 2)]


def test_session_cart_for_the_storefront_needs_csrf(variant):
    browser = APIClient(enforce_csrf_checks=True)
    csrf = browser.get("/api/v1/auth/session/").cookies["csrftoken"].value
    body = {"variant_id": variant.pk, "quantity": 1}

    refused = browser.post("/api/v1/cart/lines/", body, format="json")
    added = browser.post(
        "/api/v1/cart/lines/", body, format="json", HTTP_X_CSRFTOKEN=csrf
    )

    assert refused.status_code == 403
    assert added.status_code == 201
    cart = Cart.objects.get()
    assert browser.session["cart_token"] == str(cart.token)
    assert browser.get("/api/v1/cart/").json()["quantity"] == 1


def test_a_cookieless_client_needs_no_csrf_token_nor_cart_token(variant):
    headless = APIClient(enforce_csrf_checks=True)

    created = headless.post("/api/v1/cart/")
    added = APIClient(enforce_csrf_checks=True).post(
        "/api/v1/cart/lines/", {"variant_id": variant.pk, "quantity": 1}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["token"] == str(Cart.objects.get(lines=None).token)
    assert added.status_code == 201
    assert added.json()["quantity"] == 1


def test_a_session_whose_cart_is_gone_starts_a_new_one(variant):
    browser = APIClient()
    first = browser.post(
        "/api/v1/cart/lines/", {"variant_id": variant.pk, "quantity": 1}, format="json"
    )
    Cart.objects.filter(token=first.json()["token"]).delete()

    assert browser.get("/api/v1/cart/").json()["token"] is None
    second = browser.post(
        "/api/v1/cart/lines/", {"variant_id": variant.pk, "quantity": 2}, format="json"
    )

    assert second.status_code == 201
    assert second.json()["token"] == browser.session["cart_token"]
    assert second.json()["token"] != first.json()["token"]
    assert lines_of(Cart.objects.get()) == [(variant.pk, 2)]


def add_variants(cart, count):
    for _ in range(count):
        services.add_line(cart, VariantFactory().pk, 1)


@pytest.mark.parametrize("lines", [1, 20])
def test_read_the_cart_in_fixed_queries(
    signed_in, shopper, lines, django_assert_num_queries
):
    add_variants(services.get_or_create_cart(user=shopper), lines)

    # The cart, then its lines with variants, products and stock.
    with django_assert_num_queries(2):
        response = signed_in.get("/api/v1/cart/")

    assert len(response.json()["lines"]) == lines


@pytest.mark.parametrize("lines", [1, 20])
def test_add_to_the_cart_in_fixed_queries(
    signed_in, shopper, lines, django_assert_num_queries
):
    add_variants(services.get_or_create_cart(user=shopper), lines - 1)
    variant = VariantFactory()

    # The cart; savepoint, lock, variant, line, other currency, insert, release;
    # then the lines to show.
    with django_assert_num_queries(9):
        response = signed_in.post(
            "/api/v1/cart/lines/",
            {"variant_id": variant.pk, "quantity": 1},
            format="json",
        )

    assert len(response.json()["lines"]) == lines


@pytest.mark.parametrize("lines", [1, 20])
def test_anonymous_read_and_add_in_fixed_queries(
    headless, anonymous_cart, lines, django_assert_num_queries
):
    add_variants(anonymous_cart, lines)
    variant = services.cart_lines_for_checkout(anonymous_cart)[0].variant

    with django_assert_num_queries(2):
        headless.get("/api/v1/cart/")
    # Adding to an existing line: an update instead of the currency check + insert.
    with django_assert_num_queries(8):
        headless.post(
            "/api/v1/cart/lines/",
            {"variant_id": variant.pk, "quantity": 1},
            format="json",
        )
