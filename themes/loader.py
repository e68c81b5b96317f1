"""Template loaders that look in the active theme first, then the default theme.

The active theme is set per request by themes.middleware.ThemeMiddleware; outside
a request the default theme is used. Lookups fall back template by template: a
theme overrides only the templates it ships.

Django's own cached loader keys its cache by template name alone, so a template
found for one theme would be served to every theme. `CachedLoader` keys by
(active theme, template name) instead.
"""

from contextvars import ContextVar

from django.conf import settings
from django.template.loaders.cached import Loader as DjangoCachedLoader
from django.template.loaders.filesystem import Loader as FilesystemLoader

active_theme: ContextVar[str] = ContextVar("active_theme", default="")


def current_theme() -> str:
    return active_theme.get() or settings.DEFAULT_THEME


def available_themes() -> list[str]:
    """Folder names under THEMES_DIR that hold a templates/ folder, sorted."""
    return sorted(
        path.name
        for path in settings.THEMES_DIR.iterdir()
        if (path / "templates").is_dir()
    )


class ThemeLoader(FilesystemLoader):
    def get_dirs(self):
        default = settings.DEFAULT_THEME
        theme = current_theme()
        names = [theme] if theme == default else [theme, default]
        return [settings.THEMES_DIR / name / "templates" for name in names]


class CachedLoader(DjangoCachedLoader):
    def cache_key(self, template_name, skip=None):
        return f"{current_theme()}:{super().cache_key(template_name, skip)}"
