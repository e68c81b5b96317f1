from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shop.api"
    label = "api"

    def ready(self):
        # Registers the schema extensions (drf-spectacular finds them by import).
        from shop.api import schema  # noqa: F401
