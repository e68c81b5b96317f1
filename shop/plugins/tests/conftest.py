import pytest

from shop.plugins.manager import get_plugins_manager, invalidate_plugins_manager
from shop.plugins.services import save_plugin_configuration
from shop.plugins.tests import sample_plugins

SAMPLES = "shop.plugins.tests.sample_plugins"


@pytest.fixture
def plugins(settings, django_db_blocker):
    """Installs the given sample plugins (by class name) for one test."""

    def install(*names):
        settings.PLUGINS = [f"{SAMPLES}.{name}" for name in names]
        with django_db_blocker.unblock():
            invalidate_plugins_manager()

    sample_plugins.RECEIVED.clear()
    yield install
    invalidate_plugins_manager()


@pytest.fixture
def use_plugins(settings, django_db_blocker):
    """Installs plugin classes in order, each active with its configuration
    changes saved through the service; returns the process's manager."""

    def install(configured: dict[type, dict]):
        settings.PLUGINS = [f"{c.__module__}.{c.__qualname__}" for c in configured]
        with django_db_blocker.unblock():
            invalidate_plugins_manager()
            for plugin_class, changes in configured.items():
                save_plugin_configuration(
                    plugin_class.PLUGIN_ID, active=True, changes=changes
                )
            invalidate_plugins_manager()
            return get_plugins_manager()

    yield install
    invalidate_plugins_manager()
