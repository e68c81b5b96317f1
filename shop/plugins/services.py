"""Saving plugin configuration: validated, then every process is told to reload."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from shop.plugins.base import SENSITIVE_TYPES
from shop.plugins.manager import invalidate_plugins_manager, plugin_classes
from shop.plugins.models import PluginConfiguration


def get_plugin_class(plugin_id: str):
    for plugin_class in plugin_classes():
        if plugin_class.PLUGIN_ID == plugin_id:
            return plugin_class
    raise ValidationError(f"Unknown plugin {plugin_id}.", code="unknown_plugin")


@transaction.atomic
def save_plugin_configuration(
    plugin_id: str, *, active: bool, changes: dict[str, Any]
) -> PluginConfiguration:
    """Applies ``changes`` over the stored configuration and saves it if valid.

    A secret or password left empty keeps its stored value, so a form that never
    shows secrets can be saved without retyping them.
    """
    plugin_class = get_plugin_class(plugin_id)
    row, _ = PluginConfiguration.objects.select_for_update().get_or_create(
        plugin_id=plugin_id, defaults={"active": plugin_class.DEFAULT_ACTIVE}
    )
    fields = plugin_class.config_fields()
    configuration = plugin_class.merge_configuration(row.configuration)
    for name, value in changes.items():
        field = fields.get(name)
        if field is not None and field.type in SENSITIVE_TYPES and value in ("", None):
            continue
        configuration[name] = value
    row.configuration = plugin_class.clean_configuration(configuration)
    row.active = active
    row.save()
    transaction.on_commit(invalidate_plugins_manager)
    return row
