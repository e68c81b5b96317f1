import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from shop.webhooks import services
from shop.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliveries(receiver, make_webhook):
    """One failed order_created and one succeeded product_updated delivery."""
    make_webhook(receiver.url, events=["order_created", "product_updated"])
    receiver.answer(400)
    [failed] = services.record_event("order_created", {"id": 1})
    [succeeded] = services.record_event("product_updated", {"id": 2})
    services.deliver(failed)
    services.deliver(succeeded)
    return WebhookDelivery.objects.get(pk=failed), WebhookDelivery.objects.get(
        pk=succeeded
    )


def test_staff_register_a_webhook_with_the_events_it_wants(admin_client):
    response = admin_client.post(
        reverse("webhooks:add"),
        {
            "name": "ERP",
            "target_url": "https://erp.example.com/hooks",
            "secret": "shared",
            "events": ["order_created", "order_paid"],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert (webhook.name, webhook.secret, webhook.events, webhook.is_active) == (
        "ERP",
        "shared",
        ["order_created", "order_paid"],
        True,
    )
    listing = admin_client.get(reverse("webhooks:index")).content.decode()
    assert "https://erp.example.com/hooks" in listing


def test_a_webhook_needs_known_events(admin_client):
    response = admin_client.post(
        reverse("webhooks:add"),
        {"name": "ERP", "target_url": "https://erp.example.com", "secret": "s"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"events": ["This field is required."]}
    assert Webhook.objects.count() == 0


def test_the_delivery_log_filters_by_status_and_event(admin_client, deliveries):
    failed, succeeded = deliveries

    by_status = admin_client.get(
        reverse("webhook_deliveries:index"), {"status": "failed"}
    )
    by_event = admin_client.get(
        reverse("webhook_deliveries:index"), {"event": "product_updated"}
    )

    assert list(by_status.context["object_list"]) == [failed]
    assert list(by_event.context["object_list"]) == [succeeded]


def test_the_inspect_view_shows_every_attempt(admin_client, deliveries):
    failed, _ = deliveries

    response = admin_client.get(reverse("webhook_deliveries:inspect", args=[failed.pk]))

    assert response.status_code == 200
    assert [(a.number, a.status_code) for a in response.context["attempts"]] == [
        (1, 400)
    ]
    html = response.content.decode()
    assert "answered 400" in html
    assert reverse("webhook_deliveries:redeliver", args=[failed.pk]) in html


def test_deliveries_cannot_be_added_or_edited_in_the_admin(admin_client, deliveries):
    failed, _ = deliveries

    responses = [
        admin_client.get(reverse("webhook_deliveries:add")),
        admin_client.get(reverse("webhook_deliveries:edit", args=[failed.pk])),
        admin_client.get(reverse("webhook_deliveries:delete", args=[failed.pk])),
    ]

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert all(r.url == reverse("wagtailadmin_home") for r in responses)


def test_redeliver_asks_then_starts_a_new_cycle(admin_client, deliveries):
    failed, _ = deliveries
    url = reverse("webhook_deliveries:redeliver", args=[failed.pk])

    confirmation = admin_client.get(url)
    response = admin_client.post(url)

    assert confirmation.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse("webhook_deliveries:inspect", args=[failed.pk])
    failed.refresh_from_db()
    assert (failed.status, failed.cycle, failed.attempts) == (
        DeliveryStatus.PENDING,
        2,
        0,
    )


def test_only_those_who_manage_webhooks_may_redeliver(
    client, deliveries, django_user_model
):
    failed, _ = deliveries
    viewer = django_user_model.objects.create_user(email="viewer@example.com")
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_webhookdelivery"),
    )
    client.force_login(viewer)

    inspect = client.get(reverse("webhook_deliveries:inspect", args=[failed.pk]))
    redeliver = client.post(reverse("webhook_deliveries:redeliver", args=[failed.pk]))

    assert inspect.status_code == 200
    assert "Redeliver" not in inspect.content.decode()
    assert (redeliver.status_code, redeliver.url) == (302, reverse("wagtailadmin_home"))
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED
