"""Plain data passed between the shop and its plugins.

Plugins see these immutable snapshots, never the shop's models, so a plugin
cannot write shop state behind the service that called it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from prices import Money, TaxedMoney


def untaxed(amount: Money) -> TaxedMoney:
    """An amount before any tax plugin: net and gross alike."""
    return TaxedMoney(net=amount, gross=amount)


@dataclass(frozen=True)
class Address:
    country: str  # ISO 3166-1 alpha-2
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True)
class LineInfo:
    variant_id: int
    sku: str
    product_id: int
    quantity: int
    unit_price: Money
    weight_kg: Decimal = Decimal("0")
    category_ids: tuple[int, ...] = ()

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CheckoutInfo:
    """What plugins need to know about a checkout (or an order being placed)."""

    token: str
    currency: str
    lines: tuple[LineInfo, ...]
    email: str = ""
    shipping_address: Address | None = None
    billing_address: Address | None = None
    shipping_method_id: str | None = None
    user_id: int | None = None

    @property
    def subtotal(self) -> Money:
        return sum((line.total for line in self.lines), Money(0, self.currency))

    @property
    def weight_kg(self) -> Decimal:
        return sum((line.weight_kg * line.quantity for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class ShippingMethod:
    id: str  # unique across plugins, e.g. "shipping-rates:standard"
    name: str
    price: Money
    plugin_id: str


@dataclass(frozen=True)
class PaymentGateway:
    id: str  # the plugin id
    name: str
    currencies: tuple[str, ...]
    config: dict = field(default_factory=dict)  # public, client-side settings only


class TransactionKind(StrEnum):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    REFUND = "refund"
    VOID = "void"


@dataclass(frozen=True)
class PaymentData:
    gateway: str
    amount: Money
    payment_id: int
    token: str = ""  # what the client got from the provider (a card token, ...)
    transaction_id: str = ""  # the provider's id of an earlier authorization
    customer_email: str = ""


@dataclass(frozen=True)
class GatewayResponse:
    kind: TransactionKind
    is_success: bool
    amount: Money
    transaction_id: str = ""
    error: str = ""
    # Manual gateways leave the payment pending until staff confirm it.
    is_pending: bool = False
    raw_response: dict = field(default_factory=dict)


__all__ = [
    "Address",
    "CheckoutInfo",
    "GatewayResponse",
    "LineInfo",
    "Money",
    "PaymentData",
    "PaymentGateway",
    "ShippingMethod",
    "TaxedMoney",
    "TransactionKind",
    "untaxed",
]
