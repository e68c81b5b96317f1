"""Loads the plugins once per process and runs their hooks.

Plugin classes come from ``settings.PLUGINS`` (dotted paths, in order) and then
from installed packages announcing them in the ``shop.plugins`` entry-point
group. Their configuration is read from the database in one query and kept in
the process; a version number in the shared cache tells every process when a
save made it stale, so a request costs one cache read, not a query per plugin.
"""

import logging
import uuid
from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string

from shop.plugins.base import EVENT_HOOKS, VALUE_HOOKS, BasePlugin, implemented_hooks
from shop.plugins.models import PluginConfiguration, PluginEventFailure

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "shop.plugins"
CONFIG_VERSION_KEY = "plugins:config-version"


class PluginError(Exception):
    """A value hook failed: the operation that asked for the value fails too."""

    def __init__(self, plugin_id: str, hook: str, cause: Exception):
        super().__init__(f"Plugin {plugin_id} failed in {hook}: {cause}")
        self.plugin_id = plugin_id
        self.hook = hook


@lru_cache
def load_plugin_classes(paths: tuple[str, ...]) -> tuple[type[BasePlugin], ...]:
    """Settings first, in order, then entry points by name; the first of an id wins."""
    classes = [import_string(path) for path in paths]
    classes += [
        entry_point.load()
        for entry_point in sorted(
            entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name
        )
    ]
    unique: dict[str, type[BasePlugin]] = {}
    for plugin_class in classes:
        if not issubclass(plugin_class, BasePlugin):
            raise TypeError(f"{plugin_class!r} is not a BasePlugin")
        unique.setdefault(plugin_class.PLUGIN_ID, plugin_class)
    return tuple(unique.values())


def plugin_classes() -> tuple[type[BasePlugin], ...]:
    return load_plugin_classes(tuple(settings.PLUGINS))


class PluginsManager:
    def __init__(
        self,
        classes: Sequence[type[BasePlugin]],
        stored: dict[str, PluginConfiguration],
    ):
        self.plugins: list[BasePlugin] = []
        for plugin_class in classes:
            row = stored.get(plugin_class.PLUGIN_ID)
            self.plugins.append(
                plugin_class(
                    active=row.active if row else plugin_class.DEFAULT_ACTIVE,
                    configuration=plugin_class.merge_configuration(
                        row.configuration if row else None
                    ),
                )
            )
        self._by_hook: dict[str, list[BasePlugin]] = {
            hook: [] for hook in VALUE_HOOKS | EVENT_HOOKS
        }
        for plugin in self.plugins:
            if plugin.active:
                for hook in implemented_hooks(type(plugin)):
                    self._by_hook[hook].append(plugin)

    def get_plugin(self, plugin_id: str) -> BasePlugin | None:
        return next((p for p in self.plugins if p.PLUGIN_ID == plugin_id), None)

    def run_value_hook(self, hook: str, default: Any, /, *args, **kwargs) -> Any:
        """Passes ``default`` through every active plugin implementing ``hook``."""
        if hook not in VALUE_HOOKS:
            raise ValueError(f"{hook} is not a value hook")
        value = default
        for plugin in self._by_hook[hook]:
            try:
                result = getattr(plugin, hook)(*args, previous_value=value, **kwargs)
            except Exception as exc:
                raise PluginError(plugin.PLUGIN_ID, hook, exc) from exc
            if result is not NotImplemented:
                value = result
        return value

    def notify(self, event: str, payload: dict) -> None:
        """Tells every active plugin about ``event``; a failing plugin is logged,
        recorded and skipped, never failing the caller."""
        if event not in EVENT_HOOKS:
            raise ValueError(f"{event} is not an event hook")
        for plugin in self._by_hook[event]:
            try:
                # A savepoint, so a plugin that breaks the transaction breaks only
                # its own work.
                with transaction.atomic():
                    getattr(plugin, event)(payload)
            except Exception as exc:
                logger.exception("Plugin %s failed on %s", plugin.PLUGIN_ID, event)
                PluginEventFailure.objects.create(
                    plugin_id=plugin.PLUGIN_ID,
                    event=event,
                    error=f"{type(exc).__name__}: {exc}",
                )


_process_manager: tuple[str | None, PluginsManager] | None = None


def get_plugins_manager() -> PluginsManager:
    """The process's manager, rebuilt only when a configuration was saved.

    Without a version (a cache miss, or the cache down: its calls then answer
    None) the configuration is read again, so a save made meanwhile is never
    missed; that costs one query per call until the cache answers again.
    """
    global _process_manager
    version = cache.get(CONFIG_VERSION_KEY)
    if _process_manager and version is not None and _process_manager[0] == version:
        return _process_manager[1]
    stored = {row.plugin_id: row for row in PluginConfiguration.objects.all()}
    manager = PluginsManager(plugin_classes(), stored)
    if version is None:
        cache.add(CONFIG_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(CONFIG_VERSION_KEY)
    _process_manager = (version, manager)
    return manager


def invalidate_plugins_manager() -> None:
    """Makes every process reload plugin configuration on its next request."""
    global _process_manager
    _process_manager = None
    # The cache answers None instead of True when it is down.
    if not cache.set(CONFIG_VERSION_KEY, uuid.uuid4().hex, timeout=None):
        logger.error(
            "Cache unreachable: processes that still hold the previous plugin "
            "configuration keep it until the configuration is saved again"
        )
