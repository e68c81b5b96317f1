"""Loads the plugins once per process and runs their hooks.

Plugin classes come from ``settings.PLUGINS`` (dotted paths, in order) and then
from installed packages announcing them in the ``shop.plugins`` entry-point
group. Their configuration is read from the database in one query and kept in
the process; a version number in the shared cache tells every process when a
save made it stale, so a request costs one cache read, not a query per plugin.
"""

import logging
import uuid
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string

from shop.plugins.base import EVENT_HOOKS, VALUE_HOOKS, BasePlugin, implemented_hooks
from shop.plugins.models import PluginConfiguration, PluginEventFailure
from shop.plugins.types import (
    CheckoutInfo,
    GatewayResponse,
    LineInfo,
    Money,
    PaymentData,
    PaymentGateway,
    ShippingMethod,
    TaxedMoney,
    untaxed,
)

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "shop.plugins"
CONFIG_VERSION_KEY = "plugins:config-version"


class PluginError(Exception):
    """A value hook failed: the operation that asked for the value fails too."""

    def __init__(self, plugin_id: str, hook: str, cause: Exception):
        super().__init__(f"Plugin {plugin_id} failed in {hook}: {cause}")
        self.plugin_id = plugin_id
        self.hook = hook


@lru_cache
def load_plugin_classes(paths: tuple[str, ...]) -> tuple[type[BasePlugin], ...]:
    """Settings first, in order, then entry points by name; the first of an id wins."""
    classes = [import_string(path) for path in paths]
    classes += [
        entry_point.load()
        for entry_point in sorted(
            entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name
        )
    ]
    unique: dict[str, type[BasePlugin]] = {}
    for plugin_class in classes:
        if not issubclass(plugin_class, BasePlugin):
            raise TypeError(f"{plugin_class!r} is not a BasePlugin")
        unique.setdefault(plugin_class.PLUGIN_ID, plugin_class)
    return tuple(unique.values())


def plugin_classes() -> tuple[type[BasePlugin], ...]:
    return load_plugin_classes(tuple(settings.PLUGINS))


class PluginsManager:
    def __init__(
        self,
        classes: Sequence[type[BasePlugin]],
        stored: dict[str, PluginConfiguration],
    ):
        self.plugins: list[BasePlugin] = []
        for plugin_class in classes:
            row = stored.get(plugin_class.PLUGIN_ID)
            self.plugins.append(
                plugin_class(
                    active=row.active if row else plugin_class.DEFAULT_ACTIVE,
                    configuration=plugin_class.merge_configuration(
                        row.configuration if row else None
                    ),
                )
            )
        self._by_hook: dict[str, list[BasePlugin]] = {
            hook: [] for hook in VALUE_HOOKS | EVENT_HOOKS
        }
        for plugin in self.plugins:
            if plugin.active:
                for hook in implemented_hooks(type(plugin)):
                    self._by_hook[hook].append(plugin)

    def get_plugin(self, plugin_id: str) -> BasePlugin | None:
        return next((p for p in self.plugins if p.PLUGIN_ID == plugin_id), None)

    def _chain(self, hook: Callable, default: Any, *args) -> Any:
        """Passes ``default`` through every active plugin implementing ``hook``
        (a BasePlugin method) as its ``previous_value``."""
        name = hook.__name__
        value = default
        for plugin in self._by_hook[name]:
            try:
                result = getattr(plugin, name)(*args, previous_value=value)
            except Exception as exc:
                raise PluginError(plugin.PLUGIN_ID, name, exc) from exc
            if result is not NotImplemented:
                value = result
        return value

    def _notify(self, hook: Callable, payload: dict) -> None:
        """Tells every active plugin implementing ``hook`` (a BasePlugin method);
        a failing plugin is logged, recorded and skipped, never failing the
        caller."""
        name = hook.__name__
        for plugin in self._by_hook[name]:
            try:
                # A savepoint, so a plugin that breaks the transaction breaks only
                # its own work.
                with transaction.atomic():
                    getattr(plugin, name)(payload)
            except Exception as exc:
                logger.exception("Plugin %s failed on %s", plugin.PLUGIN_ID, name)
                PluginEventFailure.objects.create(
                    plugin_id=plugin.PLUGIN_ID,
                    event=name,
                    error=f"{type(exc).__name__}: {exc}",
                )

    # -- value hooks: each returns the chain's answer; a failing plugin raises
    # PluginError. The hooks' contracts are on BasePlugin.

    def get_shipping_methods(self, checkout: CheckoutInfo) -> list[ShippingMethod]:
        """The shipping methods offered (none without a shipping plugin)."""
        return self._chain(BasePlugin.get_shipping_methods, [], checkout)

    def get_shipping_price(
        self, checkout: CheckoutInfo, shipping_method_id: str
    ) -> Money | None:
        """The method's price; None when no plugin prices it."""
        return self._chain(
            BasePlugin.get_shipping_price, None, checkout, shipping_method_id
        )

    def calculate_line_total(
        self, checkout: CheckoutInfo, line: LineInfo
    ) -> TaxedMoney:
        """The line's total, untaxed unless a plugin taxes it."""
        return self._chain(
            BasePlugin.calculate_line_total, untaxed(line.total), checkout, line
        )

    def calculate_shipping_total(
        self, checkout: CheckoutInfo, shipping_price: Money
    ) -> TaxedMoney:
        """The shipping total, ``shipping_price`` untaxed unless a plugin taxes it."""
        return self._chain(
            BasePlugin.calculate_shipping_total,
            untaxed(shipping_price),
            checkout,
            shipping_price,
        )

    def calculate_checkout_total(
        self,
        checkout: CheckoutInfo,
        line_totals: Sequence[TaxedMoney],
        shipping_total: TaxedMoney,
    ) -> TaxedMoney:
        """The checkout's total before vouchers; by default the sum of the line
        totals and the shipping total."""
        lines = sum(line_totals, untaxed(Money(0, checkout.currency)))
        return self._chain(
            BasePlugin.calculate_checkout_total,
            lines + shipping_total,
            checkout,
            line_totals,
            shipping_total,
        )

    def get_payment_gateways(
        self, checkout: CheckoutInfo | None
    ) -> list[PaymentGateway]:
        """The gateways a shopper may choose (for any checkout: None)."""
        return self._chain(BasePlugin.get_payment_gateways, [], checkout)

    def authorize_payment(self, payment: PaymentData) -> GatewayResponse | None:
        """The gateway's answer; None when no active plugin is that gateway."""
        return self._chain(BasePlugin.authorize_payment, None, payment)

    def capture_payment(self, payment: PaymentData) -> GatewayResponse | None:
        """The gateway's answer; None when no active plugin is that gateway."""
        return self._chain(BasePlugin.capture_payment, None, payment)

    def refund_payment(self, payment: PaymentData) -> GatewayResponse | None:
        """The gateway's answer; None when no active plugin is that gateway."""
        return self._chain(BasePlugin.refund_payment, None, payment)

    def void_payment(self, payment: PaymentData) -> GatewayResponse | None:
        """The gateway's answer; None when no active plugin is that gateway."""
        return self._chain(BasePlugin.void_payment, None, payment)

    # -- event hooks: called inside the change's transaction with its JSON-ready
    # payload; they never raise. The hooks' contracts are on BasePlugin.

    def product_created(self, payload: dict) -> None:
        self._notify(BasePlugin.product_created, payload)

    def product_updated(self, payload: dict) -> None:
        self._notify(BasePlugin.product_updated, payload)

    def product_deleted(self, payload: dict) -> None:
        self._notify(BasePlugin.product_deleted, payload)

    def variant_out_of_stock(self, payload: dict) -> None:
        self._notify(BasePlugin.variant_out_of_stock, payload)

    def variant_back_in_stock(self, payload: dict) -> None:
        self._notify(BasePlugin.variant_back_in_stock, payload)

    def checkout_created(self, payload: dict) -> None:
        self._notify(BasePlugin.checkout_created, payload)

    def checkout_updated(self, payload: dict) -> None:
        self._notify(BasePlugin.checkout_updated, payload)

    def order_created(self, payload: dict) -> None:
        self._notify(BasePlugin.order_created, payload)

    def order_paid(self, payload: dict) -> None:
        self._notify(BasePlugin.order_paid, payload)

    def order_fulfilled(self, payload: dict) -> None:
        self._notify(BasePlugin.order_fulfilled, payload)

    def order_cancelled(self, payload: dict) -> None:
        self._notify(BasePlugin.order_cancelled, payload)

    def order_refunded(self, payload: dict) -> None:
        self._notify(BasePlugin.order_refunded, payload)

    def customer_created(self, payload: dict) -> None:
        self._notify(BasePlugin.customer_created, payload)

    def account_password_reset_requested(self, payload: dict) -> None:
        self._notify(BasePlugin.account_password_reset_requested, payload)

    def account_registration_attempted(self, payload: dict) -> None:
        self._notify(BasePlugin.account_registration_attempted, payload)


_process_manager: tuple[str | None, PluginsManager] | None = None


def get_plugins_manager() -> PluginsManager:
    """The process's manager, rebuilt only when a configuration was saved.

    Without a version (a cache miss, or the cache down: its calls then answer
    None) the configuration is read again, so a save made meanwhile is never
    missed; that costs one query per call until the cache answers again.
    """
    global _process_manager
    version = cache.get(CONFIG_VERSION_KEY)
    if _process_manager and version is not None and _process_manager[0] == version:
        return _process_manager[1]
    stored = {row.plugin_id: row for row in PluginConfiguration.objects.all()}
    manager = PluginsManager(plugin_classes(), stored)
    if version is None:
        cache.add(CONFIG_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(CONFIG_VERSION_KEY)
    _process_manager = (version, manager)
    return manager


def invalidate_plugins_manager() -> None:
    """Makes every process reload plugin configuration on its next request."""
    global _process_manager
    _process_manager = None
    # The cache answers None instead of True when it is down.
    if not cache.set(CONFIG_VERSION_KEY, uuid.uuid4().hex, timeout=None):
        logger.error(
            "Cache unreachable: processes that still hold the previous plugin "
            "configuration keep it until the configuration is saved again"
        )
