"""Webhooks reach public https receivers only, checked at save and at delivery
on the address actually connected to; internal receivers by allow-list."""

import ssl
import subprocess

import pytest
import requests
from django.urls import reverse

from shop.webhooks import services
from shop.webhooks.models import DeliveryStatus, Webhook

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"


def add_webhook(admin_client, url, secret="shared"):
    return admin_client.post(
        reverse("webhooks:add"),
        {
            "name": "ERP",
            "target_url": url,
            "secret": secret,
            "events": ["order_created"],
            "is_active": "on",
        },
    )


@pytest.mark.parametrize(
    "url, error",
    [
        ("http://erp.example.com/hooks", "Webhook URLs must use https."),
        (
            "https://127.0.0.1/hooks",
            "The host 127.0.0.1 has a private or reserved address (127.0.0.1); "
            "webhooks go to public addresses only.",
        ),
        (
            "https://localhost:8000/",
            "The host localhost has a private or reserved address (127.0.0.1); "
            "webhooks go to public addresses only.",
        ),
        (
            "https://[::1]/",
            "The host ::1 has a private or reserved address (::1); "
            "webhooks go to public addresses only.",
        ),
        (
            "https://[::ffff:10.0.0.1]/",
            "The host ::ffff:10.0.0.1 has a private or reserved address "
            "(::ffff:a00:1); webhooks go to public addresses only.",
        ),
        (
            "https://169.254.169.254/latest/meta-data/",
            "The host 169.254.169.254 has a private or reserved address "
            "(169.254.169.254); webhooks go to public addresses only.",
        ),
        (
            "https://192.168.1.10:6379/",
            "The host 192.168.1.10 has a private or reserved address "
            "(192.168.1.10); webhooks go to public addresses only.",
        ),
        (
            "https://intranet.example.com/",
            "The host intranet.example.com has a private or reserved address "
            "(10.1.2.3); webhooks go to public addresses only.",
        ),
        (
            "https://nowhere.example.com/",
            "The host nowhere.example.com cannot be resolved.",
        ),
    ],
)
def test_the_admin_refuses_targets_that_are_not_public_https(
    admin_client, dns, nothing_internal_allowed, url, error
):
    dns.names["intranet.example.com"] = [PUBLIC, "10.1.2.3"]

    response = add_webhook(admin_client, url)

    assert response.status_code == 200
    assert response.context["form"].errors == {"target_url": [error]}
    assert Webhook.objects.count() == 0


def test_the_admin_accepts_a_public_https_target(
    admin_client, nothing_internal_allowed
):
    response = add_webhook(admin_client, "https://erp.example.com/hooks")

    assert response.status_code == 302
    assert Webhook.objects.get().target_url == "https://erp.example.com/hooks"


def test_a_listed_internal_network_may_receive(admin_client, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["10.20.0.0/16"]

    allowed = add_webhook(admin_client, "https://10.20.3.4/hooks")
    refused = add_webhook(admin_client, "https://10.21.0.1/hooks")

    assert allowed.status_code == 302
    assert refused.status_code == 200
    assert list(Webhook.objects.values_list("target_url", flat=True)) == [
        "https://10.20.3.4/hooks"
    ]


def test_a_stored_local_target_is_not_connected_to(receiver, make_webhook, settings):
    # Stored before targets were checked; the allow-list no longer has it.
    make_webhook(receiver.url)
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    [delivery_id] = services.record_event("order_created", {"id": 1})

    delivery = services.deliver(delivery_id)

    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.FAILED
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.response_body) == (None, "")
    assert attempt.error == (
        "The host 127.0.0.1 has a private or reserved address (127.0.0.1); "
        "webhooks go to public addresses only."
    )


def test_a_name_that_turns_local_after_saving_is_not_connected_to(
    admin_client, receiver, dns, settings
):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    port = receiver.server.server_port
    dns.names["rebind.example.com"] = [PUBLIC]
    assert (
        add_webhook(admin_client, f"http://rebind.example.com:{port}/").status_code
        == 302
    )
    dns.names["rebind.example.com"] = ["127.0.0.1"]
    [delivery_id] = services.record_event("order_created", {"id": 1})

    delivery = services.deliver(delivery_id)

    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.FAILED


def test_the_delivery_connects_to_the_checked_address_keeping_the_host_name(
    receiver, make_webhook, dns
):
    port = receiver.server.server_port
    make_webhook(f"http://hooks.internal.test:{port}/in")
    dns.names["hooks.internal.test"] = ["127.0.0.1"]
    [delivery_id] = services.record_event("order_created", {"id": 1})
    dns.lookups.clear()

    delivery = services.deliver(delivery_id)

    assert delivery.status == DeliveryStatus.SUCCESS
    # Looked up once, to check it: the connection did not ask DNS again.
    assert dns.lookups.count("hooks.internal.test") == 1
    [request] = receiver.requests
    assert request.path == "/in"
    assert request.headers["Host"] == f"hooks.internal.test:{port}"


def test_the_edit_form_never_shows_the_secret_and_empty_keeps_it(
    admin_client, make_webhook
):
    webhook = make_webhook("https://erp.example.com/hooks")
    url = reverse("webhooks:edit", args=[webhook.pk])
    fields = {
        "name": "ERP",
        "target_url": "https://erp.example.com/hooks",
        "events": ["order_created"],
        "is_active": "on",
    }

    page = admin_client.get(url).content.decode()
    kept = admin_client.post(url, {**fields, "secret": ""})
    webhook.refresh_from_db()
    secret_after_empty = webhook.secret
    changed = admin_client.post(url, {**fields, "secret": "new-shared-secret"})
    webhook.refresh_from_db()

    assert "s3cret-shared-with-the-receiver" not in page
    assert "Stored: ****iver. Leave empty to keep it." in page
    assert (kept.status_code, changed.status_code) == (302, 302)
    assert secret_after_empty == "s3cret-shared-with-the-receiver"
    assert webhook.secret == "new-shared-secret"


def test_the_create_form_offers_a_fresh_random_secret_once(admin_client):
    first = admin_client.get(reverse("webhooks:add")).context["form"]
    second = admin_client.get(reverse("webhooks:add")).context["form"]

    first_secret = first["secret"].value()
    assert len(first_secret) == 64
    assert first_secret != second["secret"].value()


@pytest.fixture
def tls_receiver(receiver, tmp_path, monkeypatch):
    """The receiver behind TLS with a certificate for hooks.internal.test only,
    trusted as the CA bundle; records the server name the client asked for."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=hooks.internal.test",
            "-addext", "subjectAltName=DNS:hooks.internal.test",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    receiver.server_names = []
    context.sni_callback = lambda sock, name, ctx: receiver.server_names.append(name)
    receiver.server.socket = context.wrap_socket(
        receiver.server.socket, server_side=True
    )
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(cert))
    return receiver


def test_tls_asks_for_and_verifies_the_target_s_name_at_the_checked_address(
    tls_receiver, make_webhook, dns
):
    port = tls_receiver.server.server_port
    dns.names["hooks.internal.test"] = ["127.0.0.1"]
    make_webhook(f"https://hooks.internal.test:{port}/in")
    [delivery_id] = services.record_event("order_created", {"id": 1})

    delivery = services.deliver(delivery_id)

    assert delivery.status == DeliveryStatus.SUCCESS, delivery.attempt_log.get().error
    assert tls_receiver.server_names == ["hooks.internal.test"]
    assert tls_receiver.requests[0].headers["Host"] == f"hooks.internal.test:{port}"
