"""Who is asking: the client's address, read one way by every throttle, the
admin sign-in and the logs."""

from rest_framework.throttling import BaseThrottle


def client_address(request) -> str:
    """The socket's address, unless settings.TRUSTED_PROXY_COUNT proxies are in
    front (REST_FRAMEWORK["NUM_PROXIES"] is set from it): then the address the
    outermost trusted proxy saw, taken from X-Forwarded-For. Whatever a client
    writes in that header itself is never believed."""
    return BaseThrottle().get_ident(request)
