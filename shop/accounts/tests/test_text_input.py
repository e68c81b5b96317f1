"""Names and addresses refuse bidirectional control characters, on every way in."""

import pytest

from cms.factories import VariantFactory
from shop.accounts.models import User
from shop.accounts.tests.conftest import PASSWORD
from shop.checkout.factories import make_checkout

pytestmark = pytest.mark.django_db

REFUSED = [
    "Contains a bidirectional control character (U+202E), which can disguise text."
]
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Byron",
    "street_address_1": "1 Main St",
    "city": "London",
    "postal_code": "N1 1AA",
    "country": "GB",
}


def test_sign_up_refuses_a_bidi_override_in_a_name(api):
    response = api.post(
        "/api/v1/auth/register/",
        {"email": "eve@example.com", "password": PASSWORD, "last_name": "\u202eevE"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"last_name": REFUSED}
    assert not User.objects.exists()


def test_the_profile_refuses_a_bidi_override_in_a_name(signed_in, shopper):
    response = signed_in.patch(
        "/api/v1/account/me/", {"first_name": "A\u202eda"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"first_name": REFUSED}
    shopper.refresh_from_db()
    assert shopper.first_name == "Ada"


@pytest.mark.parametrize("field", ["street_address_1", "city", "company_name"])
def test_an_address_refuses_a_bidi_override(signed_in, field):
    response = signed_in.post(
        "/api/v1/account/addresses/",
        {**ADDRESS, field: "\u202e1 Main St"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: REFUSED}


def test_the_checkout_address_refuses_a_bidi_override(shopper, signed_in):
    checkout = make_checkout([(VariantFactory(stock=5), 1)], user=shopper)

    response = signed_in.patch(
        f"/api/v1/checkouts/{checkout.token}/",
        {"shipping_address": {**ADDRESS, "city": "Lon\u2066don"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "shipping_address.city": [
            "Contains a bidirectional control character (U+2066), which can "
            "disguise text."
        ]
    }
