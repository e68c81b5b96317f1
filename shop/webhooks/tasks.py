from celery import shared_task
from django.utils import timezone

from shop.webhooks import services
from shop.webhooks.models import DeliveryStatus


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """Makes one attempt; a retry is queued for when it is due (the sweep is the
    safety net should that message be lost)."""
    delivery = services.deliver(delivery_id)
    if delivery is not None and delivery.status == DeliveryStatus.PENDING:
        countdown = (delivery.next_attempt_at - timezone.now()).total_seconds()
        services.enqueue([delivery.pk], countdown=max(countdown, 0))


@shared_task(ignore_result=True)
def sweep_webhook_deliveries() -> None:
    services.sweep()
