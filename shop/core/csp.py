"""The Content-Security-Policy header (django-csp), relaxed for the Wagtail admin.

The storefront gets settings.CONTENT_SECURITY_POLICY as it is. Wagtail's page
editor still renders inline scripts and styles (wagtail/wagtail#1288), so admin
pages, which only signed-in staff reach, also allow what
settings.CONTENT_SECURITY_POLICY_ADMIN_ADDS lists.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import reverse


class ShopCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if parts.update is None and request.path_info.startswith(
            reverse("wagtailadmin_home")
        ):
            parts.update = settings.CONTENT_SECURITY_POLICY_ADMIN_ADDS
        return parts
