"""Add to cart from the product page, the cart page, quantity change and
removal, the mini-cart, CSRF and the cart's query budget."""

from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from cms.factories import VariantFactory
from recommend.models import Interaction
from shop.cart.models import Cart, CartLine

pytestmark = pytest.mark.django_db


def add(client, variant, quantity=1, **extra):
    return client.post(
        "/cart/add/",
        {"product": variant.product_id, "variant": variant.pk, "quantity": quantity},
        **extra,
    )


def lines(cart=None):
    cart = cart or Cart.objects.get()
    return sorted(
        (line.variant.sku, line.quantity)
        for line in CartLine.objects.filter(cart=cart).select_related("variant")
    )


def test_a_first_visit_adds_to_the_cart_without_a_token(client, shop):
    white_s = shop["variants"][("Oxford shirt", "S", "white")]

    response = add(client, white_s, 2)

    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert lines() == [("OXFORD-S-WHITE", 2)]
    session = Session.objects.get()
    assert session.get_decoded()["cart_token"] == str(Cart.objects.get().token)
    # the recommender hears of it, for the same shopper as the "for you" block
    assert list(Interaction.objects.values_list("kind", "session_id")) == [
        ("cart_add", session.session_key)
    ]
    cart = client.get("/cart/")
    html = cart.content.decode()
    assert "Added 2 × Oxford shirt (S / white) to your cart." in html
    assert "data-cart-count>2</span>" in html
    assert cart["Cache-Control"].startswith("max-age=0")
    assert "no-store" in cart["Cache-Control"]


def test_with_our_cookies_a_post_needs_the_token(shop):
    browser = Client(enforce_csrf_checks=True)
    white_s = shop["variants"][("Oxford shirt", "S", "white")]
    assert add(browser, white_s).status_code == 302

    # the product page now carries a token for this browser, and it is needed
    page = browser.get(shop["products"]["Oxford shirt"].url)
    token = page.context["csrf_token"]
    refused = add(browser, white_s)
    accepted = browser.post(
        "/cart/add/",
        {
            "product": white_s.product_id,
            "variant": white_s.pk,
            "quantity": 1,
            "csrfmiddlewaretoken": str(token),
        },
    )

    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert lines() == [("OXFORD-S-WHITE", 2)]


def test_a_post_from_another_site_is_refused(client, shop):
    white_s = shop["variants"][("Oxford shirt", "S", "white")]

    response = add(client, white_s, headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403
    assert not Cart.objects.exists()


@pytest.mark.parametrize(
    ("size", "color", "quantity", "message"),
    [
        ("M", "blue", 1, "Sorry, this size and colour is sold out."),
        ("M", "white", 3, "Sorry, only 2 left in this size and colour."),
    ],
)
def test_the_refusal_is_shown_beside_the_form(
    client, shop, size, color, quantity, message
):
    variant = shop["variants"][("Oxford shirt", size, color)]

    response = add(client, variant, quantity)

    html = response.content.decode()
    assert response.status_code == 409
    assert f'<p class="form-error" role="alert" id="cart-error">{message}</p>' in html
    # the shopper's choice stays chosen
    assert f'id="variant-{variant.pk}"' in html
    assert f'value="{quantity}"' in html
    assert not CartLine.objects.exists()


def test_a_missing_choice_is_shown_beside_the_picker(client, shop):
    product = shop["products"]["Oxford shirt"]

    response = client.post("/cart/add/", {"product": product.pk, "quantity": 1})

    assert response.status_code == 400
    assert '<p class="form-error" id="variant-error">Choose a size and colour.</p>' in (
        response.content.decode()
    )


def test_the_cart_page_shows_lines_totals_and_problems(client, shop):
    white_s = shop["variants"][("Oxford shirt", "S", "white")]
    denim_l = shop["variants"][("Denim shirt", "L", "blue")]
    add(client, white_s, 2)
    add(client, denim_l, 3)
    # then stock and prices move
    denim_l.stock.quantity = 2
    denim_l.stock.save()
    white_s.price = Decimal("42.00")
    white_s.save()

    response = client.get("/cart/")
    again = client.get("/cart/")

    html = response.content.decode()
    rows = response.context["rows"]
    assert [(row.line.variant.sku, row.total) for row in rows] == [
        ("OXFORD-S-WHITE", Decimal("84.00")),
        ("DENIM-L-BLUE", Decimal("180.00")),
    ]
    assert rows[0].notices == [
        "Price changed from 40.00 to 42.00 USD since you added it."
    ]
    assert rows[1].problems == ["Only 2 left: lower the quantity to check out."]
    assert response.context["subtotal"] == Decimal("264.00")
    assert "Subtotal (5 items)" in html
    assert "Please sort out the items marked above before checking out." in html
    # a price change is told once
    assert again.context["rows"][0].notices == []


def test_quantity_change_and_removal(client, shop):
    white_s = shop["variants"][("Oxford shirt", "S", "white")]
    denim_l = shop["variants"][("Denim shirt", "L", "blue")]
    add(client, white_s, 1)
    add(client, denim_l, 1)
    white_line, denim_line = CartLine.objects.order_by("id")

    changed = client.post("/cart/update/", {"line": white_line.pk, "quantity": 4})
    too_many = client.post("/cart/update/", {"line": denim_line.pk, "quantity": 5})
    removed = client.post("/cart/update/", {"line": denim_line.pk, "remove": "on"})

    assert changed.status_code == 302
    assert too_many.status_code == 409
    assert (
        f'<p class="form-error" id="quantity-error-{denim_line.pk}" role="alert">'
        "Sorry, only 3 left in this size and colour."
    ) in too_many.content.decode()
    assert removed.status_code == 302
    assert lines() == [("OXFORD-S-WHITE", 4)]


def test_another_shoppers_line_is_not_found(client, shop):
    other = Client()
    add(other, shop["variants"][("Oxford shirt", "S", "white")])
    add(client, shop["variants"][("Denim shirt", "L", "blue")])
    their_line = CartLine.objects.get(variant__sku="OXFORD-S-WHITE")

    response = client.post("/cart/update/", {"line": their_line.pk, "remove": "on"})

    assert response.status_code == 409
    assert CartLine.objects.filter(pk=their_line.pk).exists()


def test_a_signed_in_shopper_sees_their_count_everywhere(client, shop, user):
    client.force_login(user)
    add(client, shop["variants"][("Linen shirt", "S", "white")], 3)

    response = client.get(shop["shirts"].url)

    assert Cart.objects.get().user == user
    assert "data-cart-count>3</span>" in response.content.decode()


def test_cart_queries_stay_fixed(client, shop, django_assert_num_queries):
    add(client, shop["variants"][("Oxford shirt", "S", "white")])
    client.get("/cart/")
    with django_assert_num_queries(CART_QUERIES):
        client.get("/cart/")
    for size in ("L", "XL"):
        add(client, shop["variants"][("Denim shirt", size, "blue")])
    add(client, shop["variants"][("Linen shirt", "L", "beige")])
    client.get("/cart/")

    with django_assert_num_queries(CART_QUERIES):
        response = client.get("/cart/")

    assert len(response.context["rows"]) == 4


@pytest.mark.usefixtures("page_cache_off")
def test_product_page_queries_stay_fixed(client, shop, django_assert_num_queries):
    oxford = shop["products"]["Oxford shirt"]
    client.get(oxford.url)
    with django_assert_num_queries(PRODUCT_QUERIES):
        client.get(oxford.url)
    for number in range(6):
        VariantFactory(product=oxford, size=f"{40 + number}", color="green")
    client.get(oxford.url)

    with django_assert_num_queries(PRODUCT_QUERIES):
        response = client.get(oxford.url)

    assert len(response.context["variants"]) == 9


# The session, the cart (by its token), the mini-cart's count, the lines with
# their variants, products and stock, their images and renditions (two
# prefetches); the site and the header's categories. The session write that
# records the prices shown happens only when they change.
CART_QUERIES = 8
# Wagtail's routing to a depth-4 product and the header's categories; the
# variants with their stock, the images with their renditions, the tags, one
# page of reviews, "you may also like" (cards and their prefetches).
PRODUCT_QUERIES = 17
