"""Allocating, releasing and shipping stock.

Every function takes ``{variant_id: quantity}`` and runs inside the caller's
transaction (select_for_update refuses to run outside one): the rows are locked
in variant id order, so two checkouts sharing variants never deadlock, then
changed in one UPDATE whatever the number of lines. The CheckConstraints on
Stock back the checks up.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.db.models import Case, F, IntegerField, TextChoices, Value, When

from shop.core.errors import ServiceError
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


def _lock(quantities: Mapping[int, int]) -> dict[int, Stock]:
    rows = (
        Stock.objects.select_for_update()
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


def release(quantities: Mapping[int, int]) -> None:
    """Gives allocated units back (a cancelled or declined order)."""
    quantities = {v: q for v, q in quantities.items() if q > 0}
    if not quantities:
        return
    _lock(quantities)
    Stock.objects.filter(variant_id__in=list(quantities)).update(
        quantity_allocated=F("quantity_allocated") - _per_variant(quantities)
    )


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
