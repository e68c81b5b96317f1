from django.conf import settings

from shop.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled == {
        "recommend.tasks.train",
        "shop.orders.tasks.cancel_abandoned_orders",
        "shop.cart.tasks.delete_stale_carts",
        "shop.webhooks.tasks.sweep_webhook_deliveries",
    }
    assert scheduled - set(app.tasks) == set()
