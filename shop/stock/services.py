"""Setting, allocating, releasing, shipping and restocking stock.

``allocate``, ``release``, ``ship`` and ``restock`` take
``{variant_id: quantity}`` and run inside the caller's transaction
(select_for_update refuses to run outside one): the rows are locked in variant
id order, so two checkouts sharing variants never deadlock, then changed in one
UPDATE whatever the number of lines. ``set_quantity`` holds its own
transaction. The CheckConstraints on Stock back the checks up.

Stock events: whenever one of these functions moves a variant's available
quantity (on hand minus allocated) across zero, the plugins hear
``variant_out_of_stock`` (it reached zero) or ``variant_back_in_stock`` (it rose
above zero), in the same transaction. That happens when staff set the quantity
on hand, when checkout completion allocates the last units, when a declined
or cancelled order releases its allocation, and when a refund puts returned
units back on hand. Shipping takes units from on hand and allocated alike, so
it never changes what is available. A variant without a stock row counts as
zero available. Demo seeding and benchmarks write rows in bulk and announce
nothing.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Case, F, IntegerField, TextChoices, Value, When

from cms import readmodel
from shop.core.errors import ServiceError
from shop.plugins.manager import get_plugins_manager
from shop.stock.models import Stock


@dataclass(frozen=True)
class Shortage:
    variant_id: int
    requested: int
    available: int


class StockErrorCode(TextChoices):
    INSUFFICIENT_STOCK = (
        "insufficient_stock",
        "Some variants are short of stock; `detail.variants` says by how much.",
    )


class InsufficientStock(ServiceError):
    codes = StockErrorCode

    def __init__(self, shortages: list[Shortage]):
        super().__init__(
            "insufficient_stock",
            "Not enough stock for variants "
            + ", ".join(str(s.variant_id) for s in shortages)
            + ".",
            detail={"variants": [asdict(shortage) for shortage in shortages]},
        )
        self.shortages = shortages


class QuantityBelowAllocated(Exception):
    def __init__(self, allocated: int):
        super().__init__(
            f"{allocated} units are allocated to orders; the quantity cannot go "
            f"below {allocated}."
        )
        self.allocated = allocated


def _lock(quantities: Mapping[int, int]) -> dict[int, Stock]:
    rows = (
        # The variant for its product id (cms.readmodel); only stock rows lock.
        Stock.objects.select_related("variant")
        .select_for_update(of=("self",))
        .filter(variant_id__in=list(quantities))
        .order_by("variant_id")
    )
    return {row.variant_id: row for row in rows}


def _per_variant(quantities: Mapping[int, int]) -> Case:
    return Case(
        *(
            When(variant_id=variant_id, then=Value(quantity))
            for variant_id, quantity in quantities.items()
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


def _announce(
    available: Mapping[int, tuple[int, int]], stocks: Mapping[int, Stock]
) -> None:
    """Tells the plugins about variants whose available quantity crossed zero,
    and the catalog's cached reads about every move; ``available`` maps
    variant ids to (before, after), ``stocks`` them to their rows."""
    crossed = {
        variant_id: after
        for variant_id, (before, after) in available.items()
        if (before > 0) != (after > 0)
    }
    moved = {v for v, (before, after) in available.items() if before != after}
    readmodel.product_changed(
        {stocks[v].variant.product_id for v in moved - crossed.keys()},
        listed=False,
    )
    readmodel.product_changed({stocks[v].variant.product_id for v in crossed})
    if not crossed:
        return
    manager = get_plugins_manager()
    rows = Stock.objects.filter(variant_id__in=list(crossed)).order_by("variant_id")
    for variant_id, sku, product_id in rows.values_list(
        "variant_id", "variant__sku", "variant__product_id"
    ):
        after = crossed[variant_id]
        announce = (
            manager.variant_back_in_stock if after > 0 else manager.variant_out_of_stock
        )
        announce(
            {
                "variant_id": variant_id,
                "sku": sku,
                "product_id": product_id,
                "quantity_available": after,
            },
        )


def _available_moved(
    stocks: Mapping[int, Stock], change: Mapping[int, int]
) -> dict[int, tuple[int, int]]:
    """(before, after) available of each locked row moved by ``change``."""
    return {
        variant_id: (
            row.quantity_available,
            row.quantity_available + change[variant_id],
        )
        for variant_id, row in stocks.items()
    }


def set_quantity(variant_id: int, quantity: int) -> Stock:
    """Sets the units on hand of a variant (making its stock row if it has none);
    raises QuantityBelowAllocated, changing nothing, below what orders hold."""
    if quantity < 0:
        raise ValueError("The quantity cannot be negative.")
    with transaction.atomic():
        stock = _lock({variant_id: quantity}).get(variant_id)
        if stock is None:
            before = 0
            stock = Stock.objects.create(variant_id=variant_id, quantity=quantity)
        else:
            if quantity < stock.quantity_allocated:
                raise QuantityBelowAllocated(stock.quantity_allocated)
            before = stock.quantity_available
            stock.quantity = quantity
            stock.save(update_fields=["quantity"])
        _announce({variant_id: (before, stock.quantity_available)}, {variant_id: stock})
    return stock


def allocate(quantities: Mapping[int, int]) -> None:
    """Reserves the units for an order; raises InsufficientStock (changing
    nothing) when any variant is short or has no stock row."""
    if not quantities:
        return
    if any(quantity <= 0 for quantity in quantities.values()):
        raise ValueError("Quantities must be positive.")
    stocks = _lock(quantities)
    shortages = [
        Shortage(
            variant_id,
            quantity,
            stocks[variant_id].quantity_available if variant_id in stocks else 0,
        )
        for variant_id, quantity in sorted(quantities.items())
        if variant_id not in stocks or stocks[variant_id].quantity_available < quantity
    ]
    if shortages:
        raise InsufficientStock(shortages)
    Stock.objects.filter(variant_id__in=list(quantities)).update(
        quantity_allocated=F("quantity_allocated") + _per_variant(quantities)
    )
    _announce(_available_moved(stocks, {v: -q for v, q in quantities.items()}), stocks)


def release(quantities: Mapping[int, int]) -> None:
    """Gives allocated units back (a cancelled or declined order)."""
    quantities = {v: q for v, q in quantities.items() if q > 0}
    if not quantities:
        return
    stocks = _lock(quantities)
    Stock.objects.filter(variant_id__in=list(quantities)).update(
        quantity_allocated=F("quantity_allocated") - _per_variant(quantities)
    )
    _announce(_available_moved(stocks, quantities), stocks)


def ship(quantities: Mapping[int, int]) -> None:
    """Turns allocated units into units gone: on hand and allocated both drop."""
    quantities = {v: q for v, q in quantities.items() if q > 0}
    if not quantities:
        return
    _lock(quantities)
    Stock.objects.filter(variant_id__in=list(quantities)).update(
        quantity=F("quantity") - _per_variant(quantities),
        quantity_allocated=F("quantity_allocated") - _per_variant(quantities),
    )


def restock(quantities: Mapping[int, int]) -> None:
    """Puts shipped units that came back (a refunded return) on hand again."""
    quantities = {v: q for v, q in quantities.items() if q > 0}
    if not quantities:
        return
    stocks = _lock(quantities)
    Stock.objects.filter(variant_id__in=list(quantities)).update(
        quantity=F("quantity") + _per_variant(quantities)
    )
    _announce(_available_moved(stocks, quantities), stocks)
