import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.plugins.manager import invalidate_plugins_manager
from shop.webhooks import services
from shop.webhooks.models import Webhook

SECRET = "s3cret-shared-with-the-receiver"


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Receiver:
    """A real HTTP server on 127.0.0.1 answering a scripted list of statuses
    (then 200) and keeping every request it got."""

    def __init__(self):
        self.requests: list[ReceivedRequest] = []
        self.statuses: deque[int] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    ReceivedRequest(self.path, dict(self.headers), body)
                )
                status = receiver.statuses.popleft() if receiver.statuses else 200
                answer = f"answered {status}".encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"

    def answer(self, *statuses: int) -> None:
        self.statuses.extend(statuses)


def verify_signature(secret: str, request: ReceivedRequest, tolerance: int = 300):
    """What a receiver does, written from the scheme documented in
    shop.webhooks.services only."""
    parts = dict(
        item.split("=", 1) for item in request.headers["X-Shop-Signature"].split(",")
    )
    timestamp = int(parts["t"])
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and (
        abs(time.time() - timestamp) <= tolerance
    )


@pytest.fixture
def receiver():
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def closed_port_url():
    """A URL on which nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


@pytest.fixture(autouse=True)
def webhooks_plugin_only(settings, django_db_blocker):
    settings.PLUGINS = ["shop.webhooks.plugin.WebhooksPlugin"]
    with django_db_blocker.unblock():
        invalidate_plugins_manager()
    yield
    with django_db_blocker.unblock():
        invalidate_plugins_manager()


@pytest.fixture(autouse=True)
def broker_up(monkeypatch):
    """No test inherits another's verdict that the broker is down."""
    monkeypatch.setattr(services, "_broker_down_until", 0.0)


@pytest.fixture
def make_webhook():
    def make(url, events=("order_created",), name="Receiver", **fields):
        return Webhook.objects.create(
            name=name, target_url=url, secret=SECRET, events=list(events), **fields
        )

    return make


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings):
    """The test receivers listen on 127.0.0.1 over plain http: allowed the way a
    development setup would allow them."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1"]


@pytest.fixture
def nothing_internal_allowed(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []


class FakeDNS:
    """Answers for the names in `names` (no network in tests); addresses and
    localhost resolve as usual, every other name is unknown."""

    def __init__(self, real):
        self.real = real
        self.names: dict[str, list[str]] = {"erp.example.com": ["93.184.216.34"]}
        self.lookups: list[str] = []

    def getaddrinfo(self, host, port, *args, **kwargs):
        self.lookups.append(host)
        if host in self.names:
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    socket.IPPROTO_TCP,
                    "",
                    (address, port),
                )
                for address in self.names[host]
            ]
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            if host != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, "Name not known") from None
        return self.real(host, port, *args, **kwargs)


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    fake = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake
