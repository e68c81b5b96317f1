import pytest

from shop.accounts.factories import UserFactory
from shop.accounts.models import Address

pytestmark = pytest.mark.django_db

HOME = {
    "first_name": "Ada",
    "last_name": "Byron",
    "street_address_1": "1 Main St",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def address_for(user, **changes):
    return Address.objects.create(user=user, **{**HOME, **changes})


def test_me_shows_and_changes_the_names_only(signed_in, shopper):
    response = signed_in.patch(
        "/api/v1/account/me/",
        {"first_name": "Augusta", "email": "evil@example.com", "id": 999},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": shopper.pk,
        "email": "ada@example.com",
        "first_name": "Augusta",
        "last_name": "Byron",
        "default_shipping_address": None,
        "default_billing_address": None,
    }
    shopper.refresh_from_db()
    assert (shopper.email, shopper.first_name) == ("ada@example.com", "Augusta")


def test_me_needs_a_signed_in_user(api):
    assert api.get("/api/v1/account/me/").status_code == 401


def test_create_address_as_default_shipping(signed_in, shopper):
    response = signed_in.post(
        "/api/v1/account/addresses/",
        {**HOME, "phone": "+49 30 1234", "is_default_shipping": True},
        format="json",
    )

    assert response.status_code == 201
    address = Address.objects.get()
    assert response.json() == {
        "id": address.pk,
        **HOME,
        "company_name": "",
        "street_address_2": "",
        "country_area": "",
        "phone": "+49 30 1234",
        "is_default_shipping": True,
        "is_default_billing": False,
    }
    shopper.refresh_from_db()
    assert shopper.default_shipping_address_id == address.pk
    assert shopper.default_billing_address_id is None


def test_one_default_of_each_kind(signed_in, shopper):
    first = address_for(shopper)
    second = address_for(shopper, city="Paris", country="FR")
    signed_in.patch(
        f"/api/v1/account/addresses/{first.pk}/",
        {"is_default_shipping": True, "is_default_billing": True},
        format="json",
    )

    response = signed_in.patch(
        f"/api/v1/account/addresses/{second.pk}/",
        {"is_default_billing": True},
        format="json",
    )

    assert response.status_code == 200
    shopper.refresh_from_db()
    assert (
        shopper.default_shipping_address_id,
        shopper.default_billing_address_id,
    ) == (
        first.pk,
        second.pk,
    )
    listed = signed_in.get("/api/v1/account/addresses/").json()
    assert [
        (a["id"], a["is_default_shipping"], a["is_default_billing"]) for a in listed
    ] == [(first.pk, True, False), (second.pk, False, True)]


def test_unsetting_and_deleting_a_default(signed_in, shopper):
    address = address_for(shopper)
    shopper.default_shipping_address = address
    shopper.default_billing_address = address
    shopper.save()

    signed_in.patch(
        f"/api/v1/account/addresses/{address.pk}/",
        {"is_default_billing": False},
        format="json",
    )
    shopper.refresh_from_db()
    assert shopper.default_billing_address_id is None

    assert (
        signed_in.delete(f"/api/v1/account/addresses/{address.pk}/").status_code == 204
    )
    shopper.refresh_from_db()
    assert shopper.default_shipping_address_id is None
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "de"}, "country"),
        ({"city": ""}, "city"),
        ({"postal_code": "1" * 21}, "postal_code"),
    ],
)
def test_invalid_address_is_refused(signed_in, changes, field):
    response = signed_in.post(
        "/api/v1/account/addresses/", {**HOME, **changes}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Address.objects.exists()


def test_another_users_address_is_not_found(signed_in, shopper):
    other = address_for(UserFactory())

    url = f"/api/v1/account/addresses/{other.pk}/"
    assert signed_in.get(url).status_code == 404
    assert signed_in.patch(url, {"city": "Rome"}, format="json").status_code == 404
    assert signed_in.delete(url).status_code == 404
    assert signed_in.get("/api/v1/account/addresses/").json() == []
    other.refresh_from_db()
    assert other.city == "Berlin"


def test_address_list_in_fixed_queries(signed_in, shopper, django_assert_num_queries):
    address_for(shopper)
    with django_assert_num_queries(1):
        assert len(signed_in.get("/api/v1/account/addresses/").json()) == 1
    for _ in range(9):
        address_for(shopper)
    with django_assert_num_queries(1):
        assert len(signed_in.get("/api/v1/account/addresses/").json()) == 10


def test_addresses_need_a_signed_in_user(api):
    assert api.get("/api/v1/account/addresses/").status_code == 401


def test_an_account_holds_at_most_30_addresses(signed_in, shopper):
    Address.objects.bulk_create(Address(user=shopper, **HOME) for _ in range(30))

    response = signed_in.post("/api/v1/account/addresses/", HOME, format="json")

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "too_many_addresses",
        "message": "At most 30 addresses per account.",
        "fields": {},
        "detail": None,
    }
    assert Address.objects.count() == 30
