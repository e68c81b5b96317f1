from django.apps import AppConfig


class RecommendConfig(AppConfig):
    name = "recommend"

    def ready(self):
        from recommend.metrics import ModelCollector
        from shop.core import metrics

        metrics.scrape_collectors.append(ModelCollector())
