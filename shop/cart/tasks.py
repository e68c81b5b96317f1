from celery import shared_task

from shop.cart import services


@shared_task(ignore_result=True)
def delete_stale_carts() -> int:
    return services.delete_stale_anonymous_carts()
