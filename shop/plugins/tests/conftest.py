import pytest

from shop.plugins.manager import invalidate_plugins_manager
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
