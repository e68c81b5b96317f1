"""API tokens: `Authorization: Bearer <token>` or `Authorization: Token <token>`."""

from rest_framework import authentication

# The challenge of a 401: the scheme clients are told to use.
CHALLENGE = 'Bearer realm="api"'


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication under both scheme names: `Bearer` (the
    OAuth-style name most HTTP clients have a setting for) and `Token` (DRF's).
    Listed first in the settings, so that a request without valid credentials
    to a protected endpoint is a 401 carrying WWW-Authenticate."""

    keywords = ("Bearer", "Token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        scheme = header[0].lower() if header else b""
        for keyword in self.keywords:
            if scheme == keyword.lower().encode():
                self.keyword = keyword
                return super().authenticate(request)
        return None

    def authenticate_header(self, request):
        return CHALLENGE
