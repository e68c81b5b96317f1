from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class AuthAttemptsThrottle(SimpleRateThrottle):
    """Sign-in, sign-up and password attempts (POSTs) per client address, at
    settings.AUTH_THROTTLE_RATE (None: unlimited); slows password guessing."""

    scope = "auth"

    def get_rate(self):
        return settings.AUTH_THROTTLE_RATE

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }
