from django.conf import settings
from django.core.cache import cache
from django.db import models
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from themes.loader import available_themes


def theme_choices():
    return [(name, name.replace("_", " ").capitalize()) for name in available_themes()]


def theme_cache_key(site_id: int) -> str:
    return f"themes:site:{site_id}"


@register_setting(icon="image")
class ThemeSettings(BaseSiteSetting):
    """The storefront theme a Wagtail Site is rendered with."""

    theme = models.CharField(
        max_length=60,
        choices=theme_choices,
        default=settings.DEFAULT_THEME,
        help_text="A folder under themes/ with a templates/ folder.",
    )

    class Meta:
        verbose_name = "theme"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The middleware caches the theme per site; a change shows on the next request.
        cache.delete(theme_cache_key(self.site_id))
