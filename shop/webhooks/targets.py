"""Where webhooks may be sent: https receivers at public addresses.

A target is checked when staff save it and again at every delivery, and the
delivery connects to the very address that was checked (the name is not looked
up a second time), so a DNS answer that changes in between cannot point a
delivery at the shop's own network. Receivers inside it are allowed by address
in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS; plain http by
settings.WEBHOOK_ALLOW_HTTP (for development).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from requests.adapters import HTTPAdapter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetNotAllowed(ValidationError):
    pass


@dataclass(frozen=True)
class ResolvedTarget:
    url: str  # as staff entered it
    host: str
    address: IPAddress  # the checked address a delivery connects to

    @property
    def pinned_url(self) -> str:
        """The URL with its host replaced by the checked address."""
        parts = urlsplit(self.url)
        ip = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        netloc = f"{ip}:{parts.port}" if parts.port else ip
        return urlunsplit(parts._replace(netloc=netloc))

    @property
    def host_header(self) -> str:
        return urlsplit(self.url).netloc.rpartition("@")[2]


def _allowed(address: IPAddress) -> bool:
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_global and not address.is_multicast:
        return True
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS
    )


def resolve_target(url: str) -> ResolvedTarget:
    """Checks the URL and looks its host up; raises TargetNotAllowed unless it is
    https (or http where allowed) and every address the name has is allowed."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in schemes:
        raise TargetNotAllowed(
            "Webhook URLs must use https.", code="webhook_scheme_not_allowed"
        )
    if not parts.hostname:
        raise TargetNotAllowed("The URL has no host.", code="webhook_host_missing")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError) as exc:
        raise TargetNotAllowed(
            "The host %(host)s cannot be resolved.",
            code="webhook_host_unresolved",
            params={"host": parts.hostname},
        ) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    refused = [address for address in addresses if not _allowed(address)]
    if refused or not addresses:
        raise TargetNotAllowed(
            "The host %(host)s has a private or reserved address (%(address)s); "
            "webhooks go to public addresses only.",
            code="webhook_address_not_allowed",
            params={"host": parts.hostname, "address": refused[0] if refused else ""},
        )
    return ResolvedTarget(url=url, host=parts.hostname, address=addresses[0])


def validate_webhook_target(url: str) -> None:
    """Model validator of Webhook.target_url."""
    resolve_target(url)


class PinnedHostAdapter(HTTPAdapter):
    """Sends to a URL holding the checked address while TLS still asks for and
    verifies the certificate of the target's host name (SNI)."""

    def __init__(self, target: ResolvedTarget):
        self.target = target
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        # Plain http pools drop this TLS-only keyword.
        kwargs["server_hostname"] = self.target.host
        super().init_poolmanager(*args, **kwargs)
