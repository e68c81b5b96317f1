from django.apps import AppConfig


class PluginsConfig(AppConfig):
    name = "shop.plugins"
    label = "plugins"
