from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Site

from themes.loader import active_theme
from themes.models import ThemeSettings, theme_cache_key


def theme_for_site(site: Site) -> str:
    """The site's theme, from the cache; the database is read on a miss only.

    Read without ThemeSettings.for_site, which creates the row: a page view
    never writes (a site without the setting has the default theme)."""
    key = theme_cache_key(site.pk)
    theme = cache.get(key)
    if theme is None:
        theme = (
            ThemeSettings.objects.filter(site=site)
            .values_list("theme", flat=True)
            .first()
            or settings.DEFAULT_THEME
        )
        cache.set(key, theme, timeout=None)
    return theme


def theme_for_request(request) -> str:
    site = Site.find_for_request(request)
    return theme_for_site(site) if site else ""


class ThemeMiddleware:
    """Sets the active theme from the request's Wagtail Site for the whole request.

    The theme is looked up on the first template load only. Site.find_for_request
    caches the site on the request, so Wagtail's page serving reuses it: a served
    page pays no extra query, and the theme itself comes from the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = active_theme.set(memoize(lambda: theme_for_request(request)))
        try:
            return self.get_response(request)
        finally:
            active_theme.reset(token)
