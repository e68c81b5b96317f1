"""Template loaders that look in the active theme first, then the default theme.

The active theme is set per request by themes.middleware.ThemeMiddleware, as a
name or as a callable that finds it on first use (so requests that render no
template, like API calls, never look it up); outside a request the default theme
is used. Lookups fall back template by template: a
theme overrides only the templates it ships.

Django's own cached loader keys its cache by template name alone, so a template
found for one theme would be served to every theme. `CachedLoader` keys by
(active theme, template name) instead.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.template.loaders.cached import Loader as DjangoCachedLoader
from django.template.loaders.filesystem import Loader as FilesystemLoader

active_theme: ContextVar[str | Callable[[], str]] = ContextVar(
    "active_theme", default=""
)


def current_theme() -> str:
    theme = active_theme.get()
    if callable(theme):
        theme = theme()
    return theme or settings.DEFAULT_THEME


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
