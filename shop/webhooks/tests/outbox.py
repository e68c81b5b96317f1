"""Helpers for tests that check which events a real trigger put in the outbox."""

from shop.webhooks.models import Webhook, WebhookDelivery


def subscribe(*events: str) -> Webhook:
    return Webhook.objects.create(
        name="Subscriber", target_url="https://example.com/hooks", events=list(events)
    )


def outbox() -> list[tuple[str, dict]]:
    """(event, payload) of every delivery written, oldest first."""
    return list(WebhookDelivery.objects.order_by("pk").values_list("event", "payload"))
