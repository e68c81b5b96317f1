from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.auth import permission_required
from wagtail.admin.menu import MenuItem

from shop.plugins.views import PERMISSION, PluginEditView, PluginIndexView

urlpatterns = [
    path(
        "",
        permission_required(PERMISSION)(PluginIndexView.as_view()),
        name="index",
    ),
    path(
        "<str:plugin_id>/",
        permission_required(PERMISSION)(PluginEditView.as_view()),
        name="edit",
    ),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("plugins/", include((urlpatterns, "plugins_admin")))]


class PluginsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_settings_menu_item")
def register_plugins_menu_item():
    return PluginsMenuItem(
        "Plugins",
        reverse("plugins_admin:index"),
        name="plugins",
        icon_name="cogs",
        order=900,
    )


@hooks.register("register_permissions")
def register_permissions():
    """Lets the group editor grant "Can manage plugins"."""
    return Permission.objects.filter(
        content_type__app_label="plugins", codename="manage_plugins"
    )
