import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.accounts.models import User
from shop.accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_register_creates_the_account_and_tells_the_plugins(api, events):
    response = api.post(
        "/api/v1/auth/register/",
        {"email": "new@Example.COM", "password": PASSWORD, "first_name": "Nia"},
        format="json",
    )

    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {
        "email": "new@example.com",
        "first_name": "Nia",
        "last_name": "",
        "detail": "Sign in with this email and password.",
    }
    assert user.check_password(PASSWORD)
    assert events == [
        (
            "customer_created",
            {
                "user_id": user.pk,
                "email": "new@example.com",
                "first_name": "Nia",
                "last_name": "",
            },
        )
    ]


def test_register_refuses_a_weak_password(api, events):
    response = api.post(
        "/api/v1/auth/register/",
        {"email": "new@example.com", "password": "12345678"},
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_password"
    assert error["fields"]["password"] == [
        "This password is too common. This password is entirely numeric."
    ]
    assert not User.objects.exists()
    assert events == []


def test_register_with_a_taken_email_answers_alike_and_emails_the_owner(
    api, shopper, events, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        taken = api.post(
            "/api/v1/auth/register/",
            {"email": "ADA@example.com ", "password": PASSWORD, "first_name": "Eve"},
            format="json",
        )
    fresh = api.post(
        "/api/v1/auth/register/",
        {"email": "eve@example.com", "password": PASSWORD, "first_name": "Eve"},
        format="json",
    )

    assert (taken.status_code, fresh.status_code) == (201, 201)
    assert taken.json() == {
        "email": "ada@example.com",
        "first_name": "Eve",
        "last_name": "",
        "detail": "Sign in with this email and password.",
    }
    assert set(taken.json()) == set(fresh.json())
    assert User.objects.get(email="ada@example.com").first_name == "Ada"
    assert User.objects.count() == 2
    assert [name for name, _ in events] == [
        "account_registration_attempted",
        "customer_created",
    ]
    assert events[0] == ("account_registration_attempted", {"email": "ada@example.com"})
    [message] = mailoutbox
    assert (message.subject, message.to) == (
        "Shop: someone tried to sign up with your email",
        ["ada@example.com"],
    )
    assert message.body.startswith(
        "Someone tried to create an account with ada@example.com, which already "
        "has one. No new account was made.\n"
    )


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "not-an-email", "password": PASSWORD}, {"email": "a@b.example"}],
)
def test_register_refuses_missing_or_bad_fields(api, body):
    response = api.post("/api/v1/auth/register/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not User.objects.exists()


def test_register_refuses_malformed_json(api):
    response = api.post(
        "/api/v1/auth/register/", "{nope", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_token_sign_in_and_revoke(api, shopper):
    response = api.post(
        "/api/v1/auth/token/",
        {"email": "Ada@Example.com", "password": PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    token = Token.objects.get(user=shopper)
    assert body["token"] == token.key
    assert body["user"]["email"] == "ada@example.com"
    assert body["cart_merge"] is None

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/account/me/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.exists()
    revoked = client.get("/api/v1/account/me/")
    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"] == 'Bearer realm="api"'
    assert revoked.json()["error"]["code"] == "authentication_failed"


def test_token_sign_in_twice_returns_the_same_token(api, shopper):
    body = {"email": "ada@example.com", "password": PASSWORD}

    first = api.post("/api/v1/auth/token/", body, format="json").json()["token"]
    second = api.post("/api/v1/auth/token/", body, format="json").json()["token"]

    assert first == second


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "wrong-pass-123"), ("nobody@example.com", PASSWORD)],
)
def test_token_sign_in_refuses_wrong_credentials(api, shopper, email, password):
    response = api.post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_credentials",
        "message": "Wrong email or password.",
        "fields": {},
        "detail": None,
    }
    assert not Token.objects.exists()


def test_inactive_user_cannot_sign_in(api, shopper):
    shopper.is_active = False
    shopper.save()

    response = api.post(
        "/api/v1/auth/token/",
        {"email": "ada@example.com", "password": PASSWORD},
        format="json",
    )

    assert response.status_code == 400


def test_session_sign_in_needs_the_csrf_token(shopper):
    browser = APIClient(enforce_csrf_checks=True)
    credentials = {"email": "ada@example.com", "password": PASSWORD}

    refused = browser.post("/api/v1/auth/session/", credentials, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"

    greeting = browser.get("/api/v1/auth/session/")
    assert greeting.json() == {"user": None}
    csrf = greeting.cookies["csrftoken"].value

    response = browser.post(
        "/api/v1/auth/session/", credentials, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "ada@example.com"
    assert response.json()["cart_merge"] is None
    assert browser.get("/api/v1/auth/session/").json()["user"]["id"] == shopper.pk

    # The login rotated the CSRF token: the old one no longer signs out.
    assert (
        browser.delete("/api/v1/auth/session/", HTTP_X_CSRFTOKEN=csrf).status_code
        == 403
    )
    fresh = browser.cookies["csrftoken"].value
    assert (
        browser.delete("/api/v1/auth/session/", HTTP_X_CSRFTOKEN=fresh).status_code
        == 204
    )
    assert browser.get("/api/v1/auth/session/").json() == {"user": None}


def test_sign_in_attempts_are_throttled_per_client(api, shopper, settings):
    settings.AUTH_THROTTLE_RATE = "3/min"
    wrong = {"email": "ada@example.com", "password": "guess-123456"}

    statuses = [
        api.post("/api/v1/auth/token/", wrong, format="json").status_code
        for _ in range(3)
    ]
    blocked = api.post(
        "/api/v1/auth/token/",
        {"email": "ada@example.com", "password": PASSWORD},
        format="json",
    )

    assert statuses == [400, 400, 400]
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "throttled"
    # Reads are not attempts.
    assert api.get("/api/v1/auth/session/").status_code == 200
