from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from recommend.models import Interaction
from shop.accounts.factories import UserFactory
from shop.settings.base import redis_cache

URL = "/api/v1/events/"


@pytest.fixture
def client():
    return APIClient()


def post(client, events, **headers):
    return client.post(URL, {"events": events}, format="json", **headers)


def stored():
    return list(
        Interaction.objects.order_by("pk").values_list(
            "product__slug", "kind", "user__email", "session_id"
        )
    )


def invalid(fields):
    return {
        "error": {
            "code": "invalid",
            "message": "Invalid input.",
            "fields": fields,
            "detail": None,
        }
    }


def test_an_anonymous_batch_is_stored(client, catalog):
    products = catalog["products"]
    at = timezone.now() - timedelta(days=2)

    response = post(
        client,
        [
            {"product": products["men-boot-1"].pk, "kind": "view"},
            {
                "product": products["men-boot-2"].pk,
                "kind": "cart_add",
                "at": at.isoformat(),
                "session_id": "other-tab",
            },
        ],
        HTTP_X_SESSION_ID="sess-1",
    )

    assert response.status_code == 201
    assert response.json() == {"recorded": 2}
    assert stored() == [
        ("men-boot-1", "view", None, "sess-1"),
        ("men-boot-2", "cart_add", None, "other-tab"),
    ]
    assert Interaction.objects.get(kind="cart_add").created_at == at
    assert timezone.now() - Interaction.objects.get(kind="view").created_at < (
        timedelta(minutes=1)
    )


def test_a_signed_in_shoppers_events_are_theirs(client, catalog):
    shopper = UserFactory(email="ada@example.com")
    client.force_authenticate(shopper)

    response = post(
        client, [{"product": catalog["products"]["men-top-1"].pk, "kind": "review"}]
    )

    assert response.status_code == 201
    assert stored() == [("men-top-1", "review", "ada@example.com", "")]


def test_the_storefront_session_cookie_identifies_an_anonymous_shopper(client, catalog):
    # given a browser with a session
    session = client.session
    session["seen"] = True
    session.save()

    response = post(
        client, [{"product": catalog["products"]["men-top-1"].pk, "kind": "view"}]
    )

    assert response.status_code == 201
    assert stored() == [("men-top-1", "view", None, session.session_key)]


def test_anonymous_events_need_a_session_id(client, catalog):
    product = catalog["products"]["men-top-1"].pk

    response = post(
        client,
        [
            {"product": product, "kind": "view", "session_id": "s1"},
            {"product": product, "kind": "view"},
        ],
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"events[1].session_id": ["Required for anonymous shoppers."]}
    )
    assert stored() == []


def test_unknown_products_are_listed_and_nothing_is_written(client, catalog):
    products = catalog["products"]
    unpublished = products["women-top-1"]
    unpublished.unpublish()

    response = post(
        client,
        [
            {"product": products["men-top-1"].pk, "kind": "view"},
            {"product": 999999, "kind": "view"},
            {"product": unpublished.pk, "kind": "view"},
        ],
        HTTP_X_SESSION_ID="s1",
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {
            "events[1].product": ["No live product with this id."],
            "events[2].product": ["No live product with this id."],
        }
    )
    assert stored() == []


@pytest.mark.parametrize(
    ("event", "fields"),
    [
        (
            {"kind": "like"},
            {"events[0].kind": ['"like" is not a valid choice.']},
        ),
        (
            {"kind": "purchase"},
            {"events[0].kind": ['"purchase" is not a valid choice.']},
        ),
        (
            {"at": "2999-01-01T00:00:00Z"},
            {"events[0].at": ["Must not be in the future."]},
        ),
        (
            {"at": "2020-01-01T00:00:00Z"},
            {"events[0].at": ["Must be within the last 30 days."]},
        ),
        (
            {"at": "yesterday"},
            {
                "events[0].at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        (
            {"product": "boots"},
            {"events[0].product": ["A valid integer is required."]},
        ),
        (
            {"product": 2**31},
            {
                "events[0].product": [
                    "Ensure this value is less than or equal to 2147483647."
                ]
            },
        ),
        (
            {"session_id": "x" * 65},
            {
                "events[0].session_id": [
                    "This value does not match the required pattern."
                ]
            },
        ),
    ],
)
def test_bad_events_are_refused(client, catalog, event, fields):
    product = catalog["products"]["men-top-1"].pk

    response = post(
        client,
        [{"product": product, "kind": "view", **event}],
        HTTP_X_SESSION_ID="s1",
    )

    assert response.status_code == 400
    assert response.json() == invalid(fields)
    assert stored() == []


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"events": ["This field is required."]}),
        ({"events": []}, {"events": ["This list may not be empty."]}),
        (
            {"events": "view"},
            {"events": ['Expected a list of items but got type "str".']},
        ),
        (
            {"events": [{"product": 1, "kind": "view"}] * 101},
            {"events": ["Ensure this field has no more than 100 elements."]},
        ),
    ],
)
def test_bad_batches_are_refused(client, catalog, body, fields):
    response = client.post(URL, body, format="json", HTTP_X_SESSION_ID="s1")

    assert response.status_code == 400
    assert response.json() == invalid(fields)


def test_malformed_json_is_refused(client, db):
    response = client.post(
        URL, '{"events": [', content_type="application/json", HTTP_X_SESSION_ID="s1"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_bad_session_header_is_refused(client, catalog):
    product = catalog["products"]["men-top-1"].pk

    response = post(
        client, [{"product": product, "kind": "view"}], HTTP_X_SESSION_ID="a b"
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"X-Session-Id": ["1 to 64 letters, digits or -_.: characters."]}
    )


def test_clients_are_throttled(client, catalog, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"recommend-events": "2/min"},
    }
    events = [{"product": catalog["products"]["men-top-1"].pk, "kind": "view"}]

    answers = [post(client, events, HTTP_X_SESSION_ID=f"s{n}") for n in range(3)]

    # then a new session id per request does not help: the limit is per address
    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[2].json() == {
        "error": {
            "code": "throttled",
            "message": "Request was throttled. Expected available in 60 seconds.",
            "fields": {},
            "detail": {"retry_after": 60},
        }
    }
    assert answers[2]["Retry-After"] == "60"
    assert Interaction.objects.count() == 2


def test_events_on_the_session_cookie_need_the_csrf_token(catalog):
    # given a browser session and a client that checks CSRF like a browser
    client = APIClient(enforce_csrf_checks=True)
    session = client.session
    session["seen"] = True
    session.save()
    events = [{"product": catalog["products"]["men-top-1"].pk, "kind": "view"}]

    forged = post(client, events)
    own_id = post(client, events, HTTP_X_SESSION_ID="app-7")

    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "permission_denied"
    assert own_id.status_code == 201
    assert stored() == [("men-top-1", "view", None, "app-7")]


def test_a_cache_outage_lets_events_through_unthrottled(client, catalog, settings):
    settings.CACHES = {
        "default": redis_cache("redis://127.0.0.1:1/0", socket_timeout=0.2)
    }
    events = [{"product": catalog["products"]["men-top-1"].pk, "kind": "view"}]

    response = post(client, events, HTTP_X_SESSION_ID="s1")

    assert response.status_code == 201
    assert stored() == [("men-top-1", "view", None, "s1")]


def test_the_storefront_beacon_starts_the_session_of_a_first_visit(catalog):
    # given a browser with no cookie yet (a first visit's cached product page)
    browser = APIClient(enforce_csrf_checks=True)
    events = [{"product": catalog["products"]["men-top-1"].pk, "kind": "view"}]
    same_origin = {"HTTP_SEC_FETCH_SITE": "same-origin"}

    first = post(browser, events, **same_origin)
    # its next beacon rides on that session, with the CSRF cookie it was given
    without_token = post(browser, events, **same_origin)
    token = browser.cookies["csrftoken"].value
    second = post(browser, events, HTTP_X_CSRFTOKEN=token, **same_origin)

    session_key = browser.cookies["sessionid"].value
    assert first.status_code == 201 and second.status_code == 201
    assert without_token.status_code == 403
    assert stored() == [
        ("men-top-1", "view", None, session_key),
        ("men-top-1", "view", None, session_key),
    ]


def test_a_client_without_a_browsers_header_still_needs_a_session_id(client, catalog):
    events = [{"product": catalog["products"]["men-top-1"].pk, "kind": "view"}]

    response = post(client, events)

    assert response.status_code == 400
    assert "sessionid" not in client.cookies
