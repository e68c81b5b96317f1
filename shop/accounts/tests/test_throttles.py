"""Password guessing: per client address (never what the client says it is)
and per account, on the API and in the Wagtail admin alike."""

import pytest

from shop.accounts.tests.conftest import PASSWORD
from shop.core.errors import error_body

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/"
LOCKED = "Too many failed sign-ins. Try again later."


@pytest.fixture
def limits(settings):
    settings.SIGN_IN_FAILURE_LIMITS = {"account": 5, "address": 20}
    return settings


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def api_sign_in(api, email, password, **headers):
    return api.post(
        TOKEN, {"email": email, "password": password}, format="json", **headers
    )


def admin_sign_in(client, email, password, **headers):
    return client.post(
        ADMIN_LOGIN, {"username": email, "password": password}, **headers
    )


def test_a_forged_forwarded_for_header_does_not_reset_the_attempt_throttle(
    api, shopper, settings
):
    settings.AUTH_THROTTLE_RATE = "10/min"

    statuses = [
        api_sign_in(
            api, "ada@example.com", "guess-123456", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(50)
    ]
    right = api_sign_in(
        api, "ada@example.com", PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9"
    )

    assert statuses == [400] * 10 + [429] * 40
    assert right.status_code == 429


def test_behind_a_trusted_proxy_clients_are_told_apart_by_the_proxy_s_entry(
    api, shopper, settings, behind_one_proxy
):
    settings.AUTH_THROTTLE_RATE = "2/min"
    wrong = ("ada@example.com", "guess-123456")

    first = [
        api_sign_in(api, *wrong, HTTP_X_FORWARDED_FOR="1.1.1.1, 7.7.7.7").status_code
        for _ in range(3)
    ]
    # The client-written part differs, the proxy's entry is the same client.
    spoofed = api_sign_in(api, *wrong, HTTP_X_FORWARDED_FOR="2.2.2.2, 7.7.7.7")
    other_client = api_sign_in(api, *wrong, HTTP_X_FORWARDED_FOR="7.7.7.8")

    assert first == [400, 400, 429]
    assert spoofed.status_code == 429
    assert other_client.status_code == 400


def test_the_api_locks_an_account_after_failures_from_many_addresses(
    api, shopper, limits
):
    statuses = [
        api_sign_in(
            api, "ada@example.com", "guess-123456", REMOTE_ADDR=f"10.0.0.{n}"
        ).status_code
        for n in range(6)
    ]
    right = api_sign_in(api, "ADA@example.com", PASSWORD, REMOTE_ADDR="10.0.1.1")

    assert statuses == [400] * 5 + [429]
    assert right.status_code == 429
    assert right.json() == error_body("throttled", LOCKED)


def test_a_lockout_answers_the_same_for_an_unknown_account(api, shopper, limits):
    for n in range(5):
        api_sign_in(
            api, "nobody@example.com", "guess-123456", REMOTE_ADDR=f"10.0.0.{n}"
        )

    response = api_sign_in(api, "nobody@example.com", "guess", REMOTE_ADDR="10.0.1.1")

    assert response.status_code == 429
    assert response.json() == error_body("throttled", LOCKED)


def test_the_api_locks_an_address_guessing_many_accounts(api, shopper, limits):
    statuses = [
        api_sign_in(api, f"user{n}@example.com", "guess-123456").status_code
        for n in range(21)
    ]
    right = api_sign_in(api, "ada@example.com", PASSWORD)
    elsewhere = api_sign_in(api, "ada@example.com", PASSWORD, REMOTE_ADDR="10.0.1.1")

    assert statuses == [400] * 20 + [429]
    assert right.status_code == 429
    assert elsewhere.status_code == 200


def test_the_admin_login_locks_an_account_after_failures(
    client, limits, django_user_model
):
    django_user_model.objects.create_superuser("boss@example.com", PASSWORD)

    failures = [
        admin_sign_in(
            client, "boss@example.com", "guess-123456", REMOTE_ADDR=f"10.0.0.{n}"
        )
        for n in range(5)
    ]
    right = admin_sign_in(client, "boss@example.com", PASSWORD, REMOTE_ADDR="10.0.1.1")

    assert [response.status_code for response in failures] == [200] * 5
    assert LOCKED not in failures[-1].content.decode()
    assert right.status_code == 200
    assert LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_lockout_reads_the_same_for_an_unknown_account(client, limits):
    for _ in range(5):
        admin_sign_in(client, "nobody@example.com", "guess-123456")

    response = admin_sign_in(client, "nobody@example.com", "guess")

    assert LOCKED in response.content.decode()


def test_the_admin_login_locks_an_address_ignoring_forwarded_for(
    client, limits, django_user_model
):
    django_user_model.objects.create_superuser("boss@example.com", PASSWORD)
    for n in range(20):
        admin_sign_in(
            client,
            f"user{n}@example.com",
            "guess-123456",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )

    right = admin_sign_in(client, "boss@example.com", PASSWORD)

    assert LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_still_signs_in_below_the_limits(
    client, limits, django_user_model
):
    django_user_model.objects.create_superuser("boss@example.com", PASSWORD)
    for _ in range(4):
        admin_sign_in(client, "boss@example.com", "guess-123456")

    response = admin_sign_in(client, "boss@example.com", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]
