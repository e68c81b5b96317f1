"""A Redis client that stops waiting on a Redis server that has just failed.

The Django cache is configured with this client class (``REDIS_CLIENT_CLASS``)
and with django-redis's ``IGNORE_EXCEPTIONS``, so that every cache call on a
request path (ours, Wagtail's page-URL cache, DRF's throttles) degrades to a
miss or a skipped write when Redis is down instead of failing the request.

django-redis alone would still wait out the socket timeout on every call while
Redis hangs. Here, once a command fails on a connection or timeout error, the
server's circuit opens: every command to that server fails at once, without
touching a socket, for ``REDIS_CIRCUIT_OPEN_SECONDS``. Then one command probes
the server (the others keep failing fast meanwhile); its success closes the
circuit, its failure opens it again. A failure is logged once per interval, not
once per call, and every command that went without Redis is counted
(`metrics()`).
"""

import logging
import threading
import time
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from redis import Redis
from redis.client import Pipeline
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

FAILURES = (ConnectionError, TimeoutError)


class CircuitOpen(ConnectionError):
    """Raised instead of contacting a server whose circuit is open."""


class CircuitBreaker:
    def __init__(self, server: str):
        self.server = server
        self._lock = threading.Lock()
        # time.monotonic() until which commands fail fast; 0.0 while closed.
        self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        return self._open_until != 0.0

    def before_command(self) -> None:
        """Fails fast while open; lets one caller through per interval to probe."""
        if not self._open_until:
            return
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                _counts["redis_commands_failed_fast"] += 1
                raise CircuitOpen(f"Redis {self.server} circuit open")
            # This caller probes; the others fail fast until it has answered.
            self._open_until = now + settings.REDIS_CIRCUIT_OPEN_SECONDS

    def succeeded(self) -> None:
        if self._open_until:
            with self._lock:
                self._open_until = 0.0
            logger.warning("Redis %s answers again; circuit closed", self.server)

    def failed(self, error: Exception) -> None:
        # Commands fail fast while open, so this runs (and logs) about once per
        # interval during an outage: the failure that opened the circuit, then
        # each failed probe.
        interval = settings.REDIS_CIRCUIT_OPEN_SECONDS
        with self._lock:
            _counts["redis_commands_failed"] += 1
            self._open_until = time.monotonic() + interval
        logger.warning(
            "Redis %s failed (%s: %s); going without it for %ss",
            self.server,
            type(error).__name__,
            error,
            interval,
        )

    @contextmanager
    def guard(self):
        self.before_command()
        try:
            yield
        except FAILURES as error:
            if not isinstance(error, CircuitOpen):
                self.failed(error)
            raise
        self.succeeded()


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()
_counts: Counter[str] = Counter()


def breaker_for(client: Redis) -> CircuitBreaker:
    """One breaker per server (host and port) per process."""
    kwargs = client.connection_pool.connection_kwargs
    server = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
    breaker = _breakers.get(server)
    if breaker is None:
        with _breakers_lock:
            breaker = _breakers.setdefault(server, CircuitBreaker(server))
    return breaker


def metrics() -> dict[str, int]:
    """Counters for a metrics endpoint: commands that failed on Redis, commands
    that failed fast on an open circuit, and how many circuits are open now."""
    return {
        "redis_commands_failed": _counts["redis_commands_failed"],
        "redis_commands_failed_fast": _counts["redis_commands_failed_fast"],
        "redis_circuits_open": sum(b.is_open for b in list(_breakers.values())),
    }


class CircuitBreakingPipeline(Pipeline):
    # Queued commands wait for execute(), the only call that talks to Redis.
    def execute(self, raise_on_error: bool = True):
        with breaker_for(self).guard():
            return super().execute(raise_on_error)


class CircuitBreakingRedis(Redis):
    def execute_command(self, *args, **options):
        with breaker_for(self).guard():
            return super().execute_command(*args, **options)

    def pipeline(self, transaction=True, shard_hint=None) -> Pipeline:
        return CircuitBreakingPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
