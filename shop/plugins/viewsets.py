"""The plugins admin: the list of plugins and the form of one, a Wagtail viewset
in the settings menu for users who may manage plugins."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_required
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from shop.plugins.forms import PluginConfigurationForm
from shop.plugins.manager import get_plugins_manager

PERMISSION = "plugins.manage_plugins"


class PluginIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "plugins/admin/index.html"
    page_title = "Plugins"
    header_icon = "cogs"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "Plugins"}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(plugins=get_plugins_manager().plugins, **kwargs)


class PluginEditView(WagtailAdminTemplateMixin, FormView):
    template_name = "plugins/admin/edit.html"
    header_icon = "cogs"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.plugin = get_plugins_manager().get_plugin(kwargs["plugin_id"])
        if self.plugin is None:
            raise Http404("No such plugin.")

    def get_page_title(self):
        return self.plugin.PLUGIN_NAME

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("plugins_admin:index"), "label": "Plugins"},
            {"url": "", "label": self.plugin.PLUGIN_NAME},
        ]

    def get_form_kwargs(self):
        return {"plugin": self.plugin, **super().get_form_kwargs()}

    def get_form_class(self):
        return PluginConfigurationForm

    def form_valid(self, form):
        if form.save() is None:
            return self.form_invalid(form)
        messages.success(self.request, f"{self.plugin.PLUGIN_NAME} saved.")
        return redirect("plugins_admin:index")

    def form_invalid(self, form):
        messages.validation_error(
            self.request, "The configuration could not be saved.", form
        )
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            plugin=self.plugin,
            action_url=self.request.path,
            submit_button_label="Save",
            **kwargs,
        )


class PluginsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


class PluginsViewSet(ViewSet):
    name = "plugins_admin"
    url_prefix = "plugins"
    icon = "cogs"
    menu_label = "Plugins"
    menu_name = "plugins"
    menu_order = 900
    add_to_settings_menu = True

    @cached_property
    def menu_item_class(self):
        return PluginsMenuItem

    def get_urlpatterns(self):
        manage = permission_required(PERMISSION)
        return [
            path("", manage(PluginIndexView.as_view()), name="index"),
            path("<str:plugin_id>/", manage(PluginEditView.as_view()), name="edit"),
        ]
