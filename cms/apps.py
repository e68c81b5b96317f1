from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Catalog and content"

    def ready(self):
        from cms import signals

        signals.connect()
