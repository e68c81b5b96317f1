"""The plugin interface.

A plugin is a class with an id, a name, a typed configuration and hook methods.
Two kinds of hooks:

- value hooks take the previous plugin's answer as ``previous_value`` and return
  a new answer; returning ``NotImplemented`` declines (the previous answer is
  passed on unchanged);
- event hooks are notifications: their return value is ignored.

The base methods below, marked ``@value_hook`` or ``@event_hook``, are the
list of hooks: the manager derives its hook tables from them and has one typed
method per hook (``manager.calculate_line_total(checkout, line)``,
``manager.order_created(payload)``) with the same arguments but
``previous_value``. It calls a hook only on plugins that override it, so the
base methods document the contract and are never called.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError

from shop.plugins.types import (
    CheckoutInfo,
    GatewayResponse,
    LineInfo,
    Money,
    PaymentData,
    PaymentGateway,
    ShippingMethod,
    TaxedMoney,
)


class FieldType(StrEnum):
    STRING = "string"
    MULTILINE = "multiline"
    BOOLEAN = "boolean"
    SECRET = "secret"  # write-only; shown as its last four characters
    PASSWORD = "password"  # write-only; never shown at all
    OUTPUT = "output"  # read-only, set by the plugin (e.g. a webhook URL to copy)


SENSITIVE_TYPES = frozenset({FieldType.SECRET, FieldType.PASSWORD})


class HookKind(StrEnum):
    VALUE = "value"
    EVENT = "event"


Method = TypeVar("Method", bound=Callable)


def value_hook(method: Method) -> Method:
    """Marks a BasePlugin method as a value hook."""
    method.hook_kind = HookKind.VALUE
    return method


def event_hook(method: Method) -> Method:
    """Marks a BasePlugin method as an event hook."""
    method.hook_kind = HookKind.EVENT
    return method


@dataclass(frozen=True)
class ConfigField:
    name: str
    type: FieldType
    default: Any = ""
    label: str = ""
    help_text: str = ""
    required: bool = False

    def clean(self, value: Any) -> Any:
        if self.type == FieldType.BOOLEAN:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in {"true", "false"}:
                return value.lower() == "true"
            raise ValidationError(
                f"{self.name}: must be true or false.", code="invalid"
            )
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValidationError(f"{self.name}: must be text.", code="invalid")
        if self.type != FieldType.MULTILINE and "\n" in value:
            raise ValidationError(f"{self.name}: must be one line.", code="invalid")
        if self.required and not value.strip():
            raise ValidationError(f"{self.name}: is required.", code="required")
        return value


def mask(field: ConfigField, value: Any) -> Any:
    """What may leave the server of a configuration value."""
    if field.type == FieldType.PASSWORD:
        return "" if not value else "********"
    if field.type == FieldType.SECRET:
        return "" if not value else f"****{str(value)[-4:]}"
    return value


class BasePlugin:
    PLUGIN_ID: ClassVar[str]
    PLUGIN_NAME: ClassVar[str]
    PLUGIN_DESCRIPTION: ClassVar[str] = ""
    DEFAULT_ACTIVE: ClassVar[bool] = False
    CONFIG_FIELDS: ClassVar[tuple[ConfigField, ...]] = ()

    def __init__(self, *, active: bool, configuration: Mapping[str, Any]):
        self.active = active
        self.configuration = dict(configuration)

    def __repr__(self):
        return f"<{type(self).__name__} {self.PLUGIN_ID} active={self.active}>"

    # -- configuration -------------------------------------------------------

    @classmethod
    def config_fields(cls) -> dict[str, ConfigField]:
        return {field.name: field for field in cls.CONFIG_FIELDS}

    @classmethod
    def default_configuration(cls) -> dict[str, Any]:
        return {field.name: field.default for field in cls.CONFIG_FIELDS}

    @classmethod
    def merge_configuration(cls, stored: Mapping[str, Any] | None) -> dict[str, Any]:
        """Stored values over defaults; fields a newer version added get defaults,
        fields an older version had are dropped."""
        merged = cls.default_configuration()
        merged.update({k: v for k, v in (stored or {}).items() if k in merged})
        return merged

    @classmethod
    def clean_configuration(cls, configuration: Mapping[str, Any]) -> dict[str, Any]:
        """Validates a full configuration; raises ValidationError keyed by field.

        Plugins extend this for cross-field or semantic checks (call super first).
        """
        fields = cls.config_fields()
        unknown = sorted(set(configuration) - set(fields))
        errors: dict[str, list[ValidationError]] = {
            name: [ValidationError("Unknown field.", code="unknown")]
            for name in unknown
        }
        cleaned = {}
        for name, field in fields.items():
            try:
                cleaned[name] = field.clean(configuration.get(name, field.default))
            except ValidationError as error:
                errors[name] = [error]
        if errors:
            raise ValidationError(errors)
        return cleaned

    @classmethod
    def public_configuration(cls, configuration: Mapping[str, Any]) -> dict[str, Any]:
        fields = cls.config_fields()
        return {
            name: mask(fields[name], value) for name, value in configuration.items()
        }

    # -- value hooks -----------------------------------------------------------

    @value_hook
    def get_shipping_methods(
        self, checkout: CheckoutInfo, previous_value: list[ShippingMethod]
    ) -> list[ShippingMethod]:
        """Shipping methods offered for the checkout (add to or filter the list)."""
        return NotImplemented

    @value_hook
    def get_shipping_price(
        self,
        checkout: CheckoutInfo,
        shipping_method_id: str,
        previous_value: Money | None,
    ) -> Money | None:
        """Price of one shipping method for the checkout (None: not available)."""
        return NotImplemented

    @value_hook
    def calculate_line_total(
        self, checkout: CheckoutInfo, line: LineInfo, previous_value: TaxedMoney
    ) -> TaxedMoney:
        """Net and gross total of one line, taxes included."""
        return NotImplemented

    @value_hook
    def calculate_shipping_total(
        self, checkout: CheckoutInfo, shipping_price: Money, previous_value: TaxedMoney
    ) -> TaxedMoney:
        """Net and gross shipping of the checkout, taxes included (the chain
        starts from ``shipping_price`` untaxed)."""
        return NotImplemented

    @value_hook
    def calculate_checkout_total(
        self,
        checkout: CheckoutInfo,
        line_totals: Sequence[TaxedMoney],
        shipping_total: TaxedMoney,
        previous_value: TaxedMoney,
    ) -> TaxedMoney:
        """Net and gross total of the whole checkout, from the line and shipping
        totals the chain answered (the chain starts from their sum)."""
        return NotImplemented

    @value_hook
    def get_payment_gateways(
        self, checkout: CheckoutInfo | None, previous_value: list[PaymentGateway]
    ) -> list[PaymentGateway]:
        """Payment gateways a shopper may choose for the checkout."""
        return NotImplemented

    @value_hook
    def authorize_payment(
        self, payment: PaymentData, previous_value: GatewayResponse | None
    ) -> GatewayResponse | None:
        """Reserve the amount with the provider (only the payment's own gateway
        answers; others decline)."""
        return NotImplemented

    @value_hook
    def capture_payment(
        self, payment: PaymentData, previous_value: GatewayResponse | None
    ) -> GatewayResponse | None:
        """Take an authorized amount."""
        return NotImplemented

    @value_hook
    def refund_payment(
        self, payment: PaymentData, previous_value: GatewayResponse | None
    ) -> GatewayResponse | None:
        """Give back a captured amount (``payment.amount``: full or partial)."""
        return NotImplemented

    @value_hook
    def void_payment(
        self, payment: PaymentData, previous_value: GatewayResponse | None
    ) -> GatewayResponse | None:
        """Cancel an authorization that was not captured."""
        return NotImplemented

    # -- event hooks -------------------------------------------------------------
    # Each receives a JSON-ready payload (a dict) from the service that made the
    # change, inside that change's transaction: a plugin records what it must
    # (an outbox row) right away and defers side effects (network, email) with
    # transaction.on_commit, so nothing goes out for a change that rolls back.

    @event_hook
    def product_created(self, payload: dict) -> None:
        """A product page went live (see cms.signals)."""

    @event_hook
    def product_updated(self, payload: dict) -> None:
        """A live product page published a new revision."""

    @event_hook
    def product_deleted(self, payload: dict) -> None:
        """A live product page was unpublished, expired or deleted."""

    @event_hook
    def variant_out_of_stock(self, payload: dict) -> None:
        """A variant's available quantity reached zero (see shop.stock.services)."""

    @event_hook
    def variant_back_in_stock(self, payload: dict) -> None:
        """A variant's available quantity rose above zero again."""

    @event_hook
    def checkout_created(self, payload: dict) -> None:
        """A checkout was started."""

    @event_hook
    def checkout_updated(self, payload: dict) -> None:
        """A checkout's email, addresses, shipping method or voucher changed."""

    @event_hook
    def order_created(self, payload: dict) -> None:
        """An order was placed."""

    @event_hook
    def order_paid(self, payload: dict) -> None:
        """An order was fully paid (captured, or marked paid by staff)."""

    @event_hook
    def order_fulfilled(self, payload: dict) -> None:
        """An order (or part of it) was shipped."""

    @event_hook
    def order_cancelled(self, payload: dict) -> None:
        """An order was cancelled."""

    @event_hook
    def order_refunded(self, payload: dict) -> None:
        """An order was refunded, fully or partly."""

    @event_hook
    def customer_created(self, payload: dict) -> None:
        """A shopper registered."""

    @event_hook
    def account_password_reset_requested(self, payload: dict) -> None:
        """A shopper asked for a password reset (payload has the reset URL)."""

    @event_hook
    def account_registration_attempted(self, payload: dict) -> None:
        """Someone tried to sign up with the email of an existing account
        (payload: its email)."""


def _hooks(kind: HookKind) -> frozenset[str]:
    return frozenset(
        name
        for name, attribute in vars(BasePlugin).items()
        if getattr(attribute, "hook_kind", None) == kind
    )


VALUE_HOOKS = _hooks(HookKind.VALUE)
EVENT_HOOKS = _hooks(HookKind.EVENT)


def implemented_hooks(plugin_class: type[BasePlugin]) -> Iterable[str]:
    return [
        name
        for name in VALUE_HOOKS | EVENT_HOOKS
        if getattr(plugin_class, name) is not getattr(BasePlugin, name)
    ]
