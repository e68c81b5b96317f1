import pytest
from rest_framework.test import APIClient

from cms.factories import VariantFactory
from shop.cart import services
from shop.cart.models import Cart, CartLine

pytestmark = pytest.mark.django_db

CREDENTIALS = {"email": "ada@example.com", "password": "secret-pass-123"}


def test_token_sign_in_merges_the_cart_named_in_the_body(shopper, anonymous_cart):
    scarce = VariantFactory(sku="SCARCE", stock=3)
    services.add_line(services.get_or_create_cart(user=shopper), scarce.pk, 2)
    services.add_line(anonymous_cart, scarce.pk, 2)

    response = APIClient().post(
        "/api/v1/auth/token/",
        {**CREDENTIALS, "cart_token": str(anonymous_cart.token)},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["cart_merge"] == {
        "changed": True,
        "lines": [
            {
                "variant_id": scarce.pk,
                "sku": "SCARCE",
                "requested": 2,
                "added": 1,
                "quantity": 3,
                "outcome": "capped",
                "reason": "insufficient_stock",
            }
        ],
    }
    assert list(CartLine.objects.values_list("cart__user", "quantity")) == [
        (shopper.pk, 3)
    ]
    assert not Cart.objects.filter(pk=anonymous_cart.pk).exists()


def test_token_sign_in_merges_the_cart_of_the_header(shopper, anonymous_cart, variant):
    services.add_line(anonymous_cart, variant.pk, 2)
    client = APIClient()
    client.credentials(HTTP_X_CART_TOKEN=str(anonymous_cart.token))

    response = client.post("/api/v1/auth/token/", CREDENTIALS, format="json")

    assert response.json()["cart_merge"]["changed"] is False
    assert list(CartLine.objects.values_list("cart__user", "quantity")) == [
        (shopper.pk, 2)
    ]


def test_a_users_cart_token_is_never_merged(shopper, variant):
    other = services.get_or_create_cart(
        user=type(shopper).objects.create_user("bo@example.com", "pass-bo-123456")
    )
    services.add_line(other, variant.pk, 2)

    response = APIClient().post(
        "/api/v1/auth/token/",
        {**CREDENTIALS, "cart_token": str(other.token)},
        format="json",
    )

    assert response.json()["cart_merge"] is None
    assert list(CartLine.objects.values_list("cart__user", "quantity")) == [
        (other.user_id, 2)
    ]


def test_session_sign_in_merges_the_session_cart(shopper, variant):
    browser = APIClient(enforce_csrf_checks=True)
    csrf = browser.get("/api/v1/auth/session/").cookies["csrftoken"].value
    browser.post(
        "/api/v1/cart/lines/",
        {"variant_id": variant.pk, "quantity": 2},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    anonymous = Cart.objects.get()

    response = browser.post(
        "/api/v1/auth/session/", CREDENTIALS, format="json", HTTP_X_CSRFTOKEN=csrf
    )

    assert response.status_code == 200
    assert response.json()["cart_merge"]["lines"][0]["outcome"] == "merged"
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert "cart_token" not in browser.session
    cart = browser.get("/api/v1/cart/").json()
    assert (cart["token"], cart["quantity"]) == (
        str(Cart.objects.get(user=shopper).token),
        2,
    )


def test_failed_sign_in_leaves_the_carts_alone(shopper, anonymous_cart, variant):
    services.add_line(anonymous_cart, variant.pk, 1)

    response = APIClient().post(
        "/api/v1/auth/token/",
        {**CREDENTIALS, "password": "wrong", "cart_token": str(anonymous_cart.token)},
        format="json",
    )

    assert response.status_code == 400
    assert list(CartLine.objects.values_list("cart", "quantity")) == [
        (anonymous_cart.pk, 1)
    ]
