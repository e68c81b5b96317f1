"""The storefront account pages through Django's test client."""

import re

import pytest
from django.core import mail

from shop.accounts.factories import UserFactory
from shop.accounts.models import Address
from shop.accounts.services import save_address
from shop.cart.models import Cart
from shop.checkout.factories import SUCCESS_CARD, make_checkout, stock_of
from shop.checkout.services import complete_checkout
from shop.orders.models import OrderStatus
from shop.orders.services import capture_order, fulfil_order
from shop.storefront.tests.conftest import PASSWORD, fill_cart

pytestmark = pytest.mark.django_db

HOME_ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_address_1": "12 Analytical Way",
    "city": "London",
    "postal_code": "N1 7AA",
    "country": "GB",
}


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def shopper(db):
    return UserFactory(email="ada@example.com", password=PASSWORD)


def buy(user, variant, quantity=1, key="k1"):
    # An anonymous cart each: a user has one cart.
    checkout = make_checkout([(variant, quantity)], email=user.email)
    checkout.user = user
    checkout.save(update_fields=["user"])
    return complete_checkout(checkout, key, "dummy-payment", SUCCESS_CARD).order


def test_sign_up_then_sign_in(client, store):
    response = client.post(
        "/account/register/",
        {"email": "Grace@Example.com", "password": PASSWORD, "first_name": "Grace"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/"
    signed_in = client.post(
        "/account/sign-in/",
        {"email": "grace@example.com", "password": PASSWORD},
        follow=True,
    )
    assert signed_in.redirect_chain == [("/account/", 302)]
    assert "Signed in as <strong>grace@example.com</strong>" in html(signed_in)


def test_sign_up_refuses_a_weak_password_beside_the_field(client, store):
    response = client.post(
        "/account/register/", {"email": "grace@example.com", "password": "12345678"}
    )

    assert response.status_code == 200
    assert re.search(
        r'<p class="field-error" id="id_password_error">[^<]*too common', html(response)
    )


def test_signing_up_with_a_taken_email_answers_alike(client, shopper):
    response = client.post(
        "/account/register/", {"email": "ADA@example.com", "password": PASSWORD}
    )

    assert response["Location"] == "/account/sign-in/"


def test_a_wrong_password_is_refused(client, shopper):
    response = client.post(
        "/account/sign-in/", {"email": "ada@example.com", "password": "wrong-one-99"}
    )

    assert response.status_code == 200
    assert "That email and password do not match an account." in html(response)
    assert "_auth_user_id" not in client.session


def test_failed_sign_ins_lock_the_account_as_in_the_api(client, shopper, settings):
    settings.SIGN_IN_FAILURE_LIMITS = {"account": 2, "address": None}
    for _ in range(2):
        client.post(
            "/account/sign-in/", {"email": "ada@example.com", "password": "nope-nope-1"}
        )

    response = client.post(
        "/account/sign-in/", {"email": "ada@example.com", "password": PASSWORD}
    )

    assert "Too many failed sign-ins. Try again later." in html(response)
    assert "_auth_user_id" not in client.session


def test_sign_in_attempts_are_throttled_per_address(client, shopper, settings):
    settings.AUTH_THROTTLE_RATE = "2/min"
    for _ in range(2):
        client.post(
            "/account/sign-in/", {"email": "ada@example.com", "password": "nope-nope-1"}
        )

    response = client.post(
        "/account/sign-in/", {"email": "ada@example.com", "password": PASSWORD}
    )

    assert "Too many failed sign-ins. Try again later." in html(response)


def test_signing_in_brings_the_anonymous_cart_along(client, store, shopper):
    fill_cart(client, lines=[(store["oxford"], 2)])

    client.post("/account/sign-in/", {"email": "ada@example.com", "password": PASSWORD})

    cart = Cart.objects.get(user=shopper)
    assert [(line.variant_id, line.quantity) for line in cart.lines.all()] == [
        (store["oxford"].pk, 2)
    ]
    assert not Cart.objects.filter(user=None).exists()


def test_sign_in_goes_back_to_a_local_next_page_only(client, shopper):
    credentials = {"email": "ada@example.com", "password": PASSWORD}

    local = client.post("/account/sign-in/", {**credentials, "next": "/checkout/"})
    client.logout()
    foreign = client.post(
        "/account/sign-in/", {**credentials, "next": "https://evil.example/"}
    )

    assert local["Location"] == "/checkout/"
    assert foreign["Location"] == "/account/"


def test_sign_out_is_a_post(client, shopper):
    client.force_login(shopper)

    assert client.get("/account/sign-out/").status_code == 405
    response = client.post("/account/sign-out/")

    assert response["Location"] == "/account/sign-in/"
    assert "_auth_user_id" not in client.session


def test_account_pages_ask_to_sign_in_first(client, db):
    for path in ("/account/", "/account/orders/", "/account/addresses/"):
        response = client.get(path)
        assert response["Location"] == f"/account/sign-in/?next={path}"


def test_password_reset_through_the_emailed_link(
    client, shopper, shop_plugins, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/account/password-reset/", {"email": "ada@example.com"})
    assert "Check your email" in html(sent)
    link = re.search(r"https?://\S+", mail.outbox[0].body)[0]
    assert "/account/password-reset/confirm/?uid=" in link

    path = link[link.index("/account/") :]

    opened = client.get(path)

    # the token leaves the address bar at once
    assert opened.status_code == 302
    assert opened["Location"] == "/account/password-reset/confirm/"
    form = client.get("/account/password-reset/confirm/")
    assert 'name="new_password"' in html(form)
    done = client.post(
        "/account/password-reset/confirm/", {"new_password": "brand-new-secret-77"}
    )
    assert done["Location"] == "/account/sign-in/"
    shopper.refresh_from_db()
    assert shopper.check_password("brand-new-secret-77")
    # the link works once
    client.get(path)
    again = client.post(
        "/account/password-reset/confirm/", {"new_password": "another-pass-789"}
    )
    assert "This reset link is invalid or has expired." in html(again)
    shopper.refresh_from_db()
    assert shopper.check_password("brand-new-secret-77")


def test_password_reset_for_an_unknown_email_answers_alike(client, db):
    response = client.post("/account/password-reset/", {"email": "nobody@example.com"})

    assert "Check your email" in html(response)
    assert mail.outbox == []


def test_addresses_are_added_edited_made_default_and_deleted(client, shopper):
    client.force_login(shopper)
    fields = {**HOME_ADDRESS, "is_default_shipping": "on"}

    added = client.post("/account/addresses/new/", fields)

    assert added["Location"] == "/account/addresses/"
    address = Address.objects.get(user=shopper)
    shopper.refresh_from_db()
    assert shopper.default_shipping_address == address
    assert shopper.default_billing_address is None
    page = html(client.get("/account/addresses/"))
    assert "12 Analytical Way" in page and "Default shipping" in page
    edited = client.post(
        f"/account/addresses/{address.pk}/", {**HOME_ADDRESS, "city": "Cambridge"}
    )
    assert edited["Location"] == "/account/addresses/"
    address.refresh_from_db()
    shopper.refresh_from_db()
    assert address.city == "Cambridge"
    assert shopper.default_shipping_address is None
    client.post(f"/account/addresses/{address.pk}/delete/")
    assert not Address.objects.exists()


def test_an_address_form_shows_errors_beside_fields(client, shopper):
    client.force_login(shopper)

    response = client.post(
        "/account/addresses/new/", {**HOME_ADDRESS, "country": "XX", "city": ""}
    )

    page = html(response)
    assert (
        '<p class="field-error" id="id_city_error">This field is required.</p>' in page
    )
    assert 'id="id_country_error">Select a valid choice.' in page


def test_another_shoppers_address_is_not_found(client, shopper):
    other = save_address(UserFactory(), HOME_ADDRESS)
    client.force_login(shopper)

    assert client.get(f"/account/addresses/{other.pk}/").status_code == 404
    assert client.post(f"/account/addresses/{other.pk}/delete/").status_code == 404


def test_order_history_and_detail_with_status_history_and_tracking(
    client, store, shopper
):
    order = buy(shopper, store["oxford"], 2)
    capture_order(order)
    fulfil_order(order, tracking_number="1Z999AA10123456784")
    client.force_login(shopper)

    history = html(client.get("/account/orders/"))
    detail = client.get(f"/account/orders/{order.number}/")

    assert f'<a href="/account/orders/{order.number}/">Order {order.number}</a>' in (
        history
    )
    assert "<td>Fulfilled</td>" in history
    page = html(detail)
    assert detail.status_code == 200
    assert '<strong class="tracking-number">1Z999AA10123456784</strong>' in page
    assert ": Status: Unfulfilled</li>" in page
    assert ": Shipped, tracking number 1Z999AA10123456784</li>" in page
    assert ": Status: Fulfilled</li>" in page
    assert 'id="order-total"><strong>45.00 USD</strong>' in page
    assert "Cancel this order" not in page


def test_another_shoppers_order_is_not_found(client, store, shopper):
    order = buy(UserFactory(), store["oxford"])
    client.force_login(shopper)

    assert client.get(f"/account/orders/{order.number}/").status_code == 404
    assert client.post(f"/account/orders/{order.number}/cancel/").status_code == 404


def test_an_unfulfilled_order_is_cancelled(client, store, shopper):
    order = buy(shopper, store["oxford"], 2)
    client.force_login(shopper)
    assert "Cancel this order" in html(client.get(f"/account/orders/{order.number}/"))

    response = client.post(f"/account/orders/{order.number}/cancel/", follow=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert f"Order {order.number} is cancelled." in html(response)
    assert stock_of(store["oxford"]) == (5, 0)
    assert "Cancel this order" not in html(response)


@pytest.mark.parametrize("count", [1, 3])
def test_order_pages_queries_are_fixed(
    client, store, shopper, count, django_assert_num_queries
):
    orders = [buy(shopper, store["oxford"], key=f"k{n}") for n in range(count)]
    client.force_login(shopper)
    client.get("/account/")  # the site's theme is cached

    # session, user, the orders' count and page; the header's site, top
    # categories and mini-cart count
    with django_assert_num_queries(7):
        assert client.get("/account/orders/").status_code == 200
    # session, user, order, its lines, fulfilments and events; the header's
    # site, categories and mini-cart count
    with django_assert_num_queries(9):
        response = client.get(f"/account/orders/{orders[-1].number}/")
    assert response.status_code == 200


def test_account_pages_are_never_cached(client, shopper):
    client.force_login(shopper)

    assert "no-store" in client.get("/account/")["Cache-Control"]
    assert "no-store" in client.get("/account/sign-in/")["Cache-Control"]
