from celery import shared_task

from shop.orders import services


@shared_task(ignore_result=True)
def cancel_abandoned_orders() -> int:
    """Run by Celery beat every few minutes (see services.ABANDONED_AFTER)."""
    return services.cancel_abandoned_orders()
