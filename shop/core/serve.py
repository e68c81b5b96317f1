"""Serving the local platform at the address asked for (`make run HOST= PORT=`).

`bootstrap --serve HOST:PORT` points the default Wagtail Site at that address
(so API `url` fields and emailed links name it), starts Django's development
server there and says where the shop is only once the server answers.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from wagtail.models import Site

STARTUP_TIMEOUT = 120
# Listening on every interface: this machine reaches it on the loopback.
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1"}


class ServeError(Exception):
    pass


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @classmethod
    def parse(cls, addrport: str) -> "Address":
        host, sep, port = addrport.rpartition(":")
        if not sep or not port.isdigit() or not 0 < int(port) < 65536:
            raise ServeError(f"{addrport!r} is not HOST:PORT (e.g. 127.0.0.1:8000).")
        return cls(host.strip("[]") or "127.0.0.1", int(port))

    @property
    def public_host(self) -> str:
        return ANY_ADDRESS.get(self.host, self.host)

    @property
    def url(self) -> str:
        host = self.public_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    def is_free(self) -> bool:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((self.host, self.port))
            except OSError:
                return False
        return True


def point_default_site(address: Address) -> None:
    """The default Site's root URL is where the shop is served."""
    Site.objects.filter(is_default_site=True).update(
        hostname=address.public_host, port=address.port
    )


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True  # an answer, even if not ready (e.g. 503)
    except OSError:
        return False
    return True


def serve(address: Address, announce: Callable[[], None]) -> int:
    """Runs the development server at ``address`` until it stops or Ctrl-C;
    calls ``announce`` once the server answers. Its exit status."""
    if not address.is_free():
        raise ServeError(
            f"{address.host}:{address.port} is already in use: stop what serves "
            "there or choose another, e.g. make run PORT=8123."
        )
    env = dict(os.environ)
    env.setdefault("WAGTAILADMIN_BASE_URL", address.url.rstrip("/"))
    env.setdefault(
        "ALLOWED_HOSTS", ",".join([*settings.ALLOWED_HOSTS, address.public_host])
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"{address.host}:{address.port}"],
        cwd=settings.BASE_DIR,
        env=env,
        # Its own process group, so the autoreloader's child stops with it.
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _answers(f"{address.url}healthz"):
            if server.poll() is not None:
                raise ServeError(
                    f"The server stopped (exit status {server.returncode})."
                )
            if time.monotonic() > deadline:
                raise ServeError(f"The server did not answer on {address.url}.")
            time.sleep(0.25)
        announce()
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
