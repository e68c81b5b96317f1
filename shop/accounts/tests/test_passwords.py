import re

import pytest
from django.core import mail
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.models import Site

from shop.accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "brand-new-pass-456"


def test_change_password_needs_the_current_one(signed_in, shopper):
    response = signed_in.post(
        "/api/v1/account/password/",
        {"old_password": "wrong-pass-000", "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "wrong_password"
    shopper.refresh_from_db()
    assert shopper.check_password(PASSWORD)


def test_change_password_validates_the_new_one(signed_in, shopper):
    response = signed_in.post(
        "/api/v1/account/password/",
        {"old_password": PASSWORD, "new_password": "short"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_password"
    assert list(response.json()["error"]["fields"]) == ["new_password"]
    shopper.refresh_from_db()
    assert shopper.check_password(PASSWORD)


def test_change_password_with_a_token_replaces_the_token(shopper):
    old = Token.objects.create(user=shopper)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")

    response = client.post(
        "/api/v1/account/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    new = Token.objects.get(user=shopper)
    assert response.json() == {"token": new.key}
    assert new.key != old.key
    shopper.refresh_from_db()
    assert shopper.check_password(NEW_PASSWORD)


def test_change_password_keeps_the_session_signed_in(shopper):
    browser = APIClient()
    browser.force_login(shopper)

    response = browser.post(
        "/api/v1/account/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.json() == {"token": None}
    assert browser.get("/api/v1/account/me/").status_code == 200


def test_password_change_needs_a_signed_in_user(api):
    response = api.post(
        "/api/v1/account/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_reset_request_answers_the_same_for_unknown_emails(
    api, shopper, events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = api.post(
            "/api/v1/auth/password-reset/",
            {"email": "nobody@example.com"},
            format="json",
        )
    assert unknown.status_code == 202
    assert unknown.content == b""
    assert events == []
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        known = api.post(
            "/api/v1/auth/password-reset/", {"email": "ADA@example.com"}, format="json"
        )
    assert known.status_code == 202
    assert known.content == b""
    assert [name for name, _ in events] == ["account_password_reset_requested"]
    assert events[0][1]["email"] == "ada@example.com"
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert events[0][1]["reset_url"] in mail.outbox[0].body


def test_reset_confirm_sets_the_password_once(api, shopper, events):
    # given the shop served at shop.test:8123 (bootstrap sets the default site)
    Site.objects.filter(is_default_site=True).update(hostname="shop.test", port=8123)
    Token.objects.create(user=shopper)
    api.post("/api/v1/auth/password-reset/", {"email": shopper.email}, format="json")
    # then the link names the storefront's reset page there
    url = events[0][1]["reset_url"]
    assert url.startswith("http://shop.test:8123/account/password-reset/confirm/?uid=")
    # and a headless client posts its uid and token to the API
    uid, token = re.search(r"uid=([^&]+)&token=(.+)$", url).groups()
    body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}

    response = api.post("/api/v1/auth/password-reset/confirm/", body, format="json")

    assert response.status_code == 204
    shopper.refresh_from_db()
    assert shopper.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(user=shopper).exists()
    again = api.post(
        "/api/v1/auth/password-reset/confirm/",
        {**body, "new_password": "another-pass-789"},
        format="json",
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize(
    ("uid", "token"), [("MQ", "bad-token"), ("!!!", "x"), ("OTk5OTk5OTk5OTk5OTk5", "x")]
)
def test_reset_confirm_refuses_bad_links(api, shopper, uid, token):
    response = api.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_token",
        "message": "The reset link is invalid or expired.",
        "fields": {},
        "detail": None,
    }
    shopper.refresh_from_db()
    assert shopper.check_password(PASSWORD)
