"""The shop keeps serving when its Redis dies or hangs.

Each test starts its own redis-server (the shared one is never touched), points
the cache and the recommendation store at it, and walks every page and API
endpoint a shopper uses, the checkout included, before and after killing or
pausing (SIGSTOP) that server.
"""

import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from rest_framework.test import APIClient

from cms.tests.test_templates import catalog  # noqa: F401 (fixture)
from recommend import services
from shop.accounts.factories import UserFactory
from shop.checkout.factories import ADDRESS, STANDARD, SUCCESS_CARD
from shop.core import redis_breaker
from shop.settings.base import REDIS_SOCKET_TIMEOUT, redis_cache

pytestmark = pytest.mark.django_db

API = "/api/v1"
PASSWORD = "a-long-passphrase-42"


class RedisServer:
    """A throwaway redis-server on a free port, in a temporary directory."""

    def __init__(self, directory: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(50):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()


@pytest.fixture
def own_redis(tmp_path, settings):
    server = RedisServer(tmp_path)
    # The production cache configuration, on this server; the recommendation
    # store and the readiness probe follow REDIS_URL.
    settings.CACHES = {"default": redis_cache(server.url)}
    settings.REDIS_URL = server.url
    # Throttles read and write the cache on every guarded request.
    settings.AUTH_THROTTLE_RATE = "1000/min"
    yield server
    server.stop()


@pytest.fixture
def shop(catalog, shop_plugins):  # noqa: F811 (fixture)
    user = UserFactory(email="grace@example.com")
    user.set_password(PASSWORD)
    user.save()
    oxford = catalog["oxford"]
    return {**catalog, "variant": oxford.variants.first()}


def browse(shop) -> dict[str, int]:
    """Every storefront page and catalog endpoint: name -> status code."""
    client = APIClient(raise_request_exception=False)
    product = shop["oxford"]
    urls = {
        "home page": shop["home"].url,
        "category page": shop["shirts"].url,
        "product page": product.url,
        "landing page": shop["landing"].url,
        "product list": f"{API}/products/",
        "product detail": f"{API}/products/{product.pk}/",
        "categories": f"{API}/categories/",
        "popular": f"{API}/recommendations/popular/",
        "similar": f"{API}/recommendations/similar/{product.pk}/",
        "for me": f"{API}/recommendations/for-me/",
        "readyz": "/readyz",
    }
    statuses = {name: client.get(url).status_code for name, url in urls.items()}
    statuses["events"] = client.post(
        f"{API}/events/",
        {"events": [{"kind": "view", "product": product.pk, "session_id": "tab-1"}]},
        format="json",
    ).status_code
    return statuses


def buy(shop, attempt: str) -> tuple[dict[str, int], float]:
    """Signs in, fills the cart and checks out: statuses and the seconds taken
    from sign-in to the placed order."""
    client = APIClient(raise_request_exception=False)
    started = time.monotonic()
    statuses = {
        "sign-in": client.post(
            f"{API}/auth/session/",
            {"email": "grace@example.com", "password": PASSWORD},
            format="json",
        ).status_code,
        "add to cart": client.post(
            f"{API}/cart/lines/",
            {"variant_id": shop["variant"].pk, "quantity": 1},
            format="json",
        ).status_code,
        "cart": client.get(f"{API}/cart/").status_code,
    }
    response = client.post(f"{API}/checkouts/")
    statuses["checkout"] = response.status_code
    url = f"{API}/checkouts/{response.json()['token']}"
    statuses["checkout addresses"] = client.patch(
        f"{url}/",
        {"shipping_address": ADDRESS, "billing_address": ADDRESS},
        format="json",
    ).status_code
    statuses["shipping methods"] = client.get(f"{url}/shipping-methods/").status_code
    statuses["choose shipping"] = client.put(
        f"{url}/shipping-methods/", {"shipping_method_id": STANDARD}, format="json"
    ).status_code
    statuses["payment gateways"] = client.get(f"{url}/payment-gateways/").status_code
    statuses["complete"] = client.post(
        f"{url}/complete/",
        {"gateway": "dummy-payment", "payment_token": SUCCESS_CARD},
        format="json",
        HTTP_IDEMPOTENCY_KEY=attempt,
    ).status_code
    return statuses, time.monotonic() - started


EXPECTED = {
    "home page": 200,
    "category page": 200,
    "product page": 200,
    "landing page": 200,
    "product list": 200,
    "product detail": 200,
    "categories": 200,
    "popular": 200,
    "similar": 200,
    "for me": 200,
    "events": 201,
    "sign-in": 200,
    "add to cart": 201,
    "cart": 200,
    "checkout": 201,
    "checkout addresses": 200,
    "shipping methods": 200,
    "choose shipping": 200,
    "payment gateways": 200,
    "complete": 201,
}


def everything(shop, attempt) -> tuple[dict[str, int], float]:
    # The checkout first: after a failure it is the first to meet Redis.
    bought, seconds = buy(shop, attempt)
    return {**bought, **browse(shop)}, seconds


def test_redis_killed_every_page_and_endpoint_still_answers(own_redis, shop):
    up, _ = everything(shop, "up")
    own_redis.kill()
    down, _ = everything(shop, "down")

    # readyz stays 200 (degraded): see shop.core.health.readyz.
    assert up == down == {**EXPECTED, "readyz": 200}
    assert redis_breaker.metrics()["redis_circuits_open"] >= 1


def test_redis_hung_costs_a_checkout_less_than_two_seconds(own_redis, shop):
    # Warm up (first-use imports, plugin config), then the baseline with Redis up.
    everything(shop, "warm-up")
    up, seconds_up = everything(shop, "up")
    own_redis.pause()
    hung, seconds_hung = everything(shop, "hung")

    assert up == hung == {**EXPECTED, "readyz": 200}
    assert seconds_hung - seconds_up < 2, (seconds_up, seconds_hung)


def test_a_failed_redis_is_skipped_until_the_interval_passes_then_probed(
    own_redis, settings
):
    settings.REDIS_CIRCUIT_OPEN_SECONDS = 0.5
    cache.set("k", "v")
    before = redis_breaker.metrics()
    own_redis.pause()

    started = time.monotonic()
    assert cache.get("k") is None  # waits out the socket timeout once
    first = time.monotonic() - started
    started = time.monotonic()
    assert [cache.get("k") for _ in range(20)] == [None] * 20  # fails fast
    skipped = time.monotonic() - started
    own_redis.process.send_signal(signal.SIGCONT)
    assert cache.get("k") is None  # still inside the interval
    time.sleep(0.5)
    answered = cache.get("k")

    after = redis_breaker.metrics()
    assert REDIS_SOCKET_TIMEOUT <= first < REDIS_SOCKET_TIMEOUT + 0.5
    assert skipped < 0.1
    assert answered == "v"
    assert after["redis_commands_failed"] - before["redis_commands_failed"] == 1
    assert (
        after["redis_commands_failed_fast"] - before["redis_commands_failed_fast"] == 21
    )


def test_a_redis_failure_is_logged_once_per_interval(own_redis, settings, caplog):
    settings.REDIS_CIRCUIT_OPEN_SECONDS = 0.3
    own_redis.kill()

    for _ in range(10):  # within the first interval
        cache.get("k")
        services.popular_ids()  # the recommendation store, on the same server
    time.sleep(0.3)
    for _ in range(10):  # a failed probe, then the second interval
        cache.get("k")

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2
    assert warnings[0].startswith(
        f"Redis 127.0.0.1:{own_redis.port} failed (ConnectionError: "
    )
    assert warnings[0].endswith("; going without it for 0.3s")


def test_plugin_configuration_saved_with_the_cache_down_is_used(own_redis, shop):
    """A version read that fails is a miss: the configuration is read again."""
    from shop.plugins.manager import get_plugins_manager
    from shop.plugins.models import PluginConfiguration

    own_redis.kill()
    row = PluginConfiguration.objects.get(plugin_id="flat-rate-taxes")
    row.configuration = {**row.configuration, "default_rate": "7"}
    row.save()

    plugin = get_plugins_manager().get_plugin("flat-rate-taxes")

    assert plugin.configuration["default_rate"] == "7"
