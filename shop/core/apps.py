from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shop.core"
    label = "core"

    def ready(self):
        from shop.core import (
            checks,  # noqa: F401 (registers the system checks)
            logs,
            metrics,
        )

        logs.connect_signals()
        metrics.connect_celery_signals()
