"""Template loader that looks in the active theme first, then the default theme.

The active theme is set per request by themes.middleware; outside a request the
default theme is used.
"""

from contextvars import ContextVar

from django.conf import settings
from django.template.loaders.filesystem import Loader as FilesystemLoader

active_theme: ContextVar[str] = ContextVar("active_theme", default="")


class ThemeLoader(FilesystemLoader):
    def get_dirs(self):
        default = settings.DEFAULT_THEME
        theme = active_theme.get() or default
        names = [theme] if theme == default else [theme, default]
        return [settings.THEMES_DIR / name / "templates" for name in names]
