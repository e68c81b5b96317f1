from django.contrib.auth.models import Permission
from wagtail import hooks

from shop.plugins.viewsets import PluginsViewSet


@hooks.register("register_admin_viewset")
def register_plugins_admin():
    return PluginsViewSet()


@hooks.register("register_permissions")
def register_permissions():
    """Lets the group editor grant "Can manage plugins"."""
    return Permission.objects.filter(
        content_type__app_label="plugins", codename="manage_plugins"
    )
