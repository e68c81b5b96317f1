"""A demo shop that sells out of the box.

``configure_demo_shop`` activates and configures the built-in plugins a sale
needs (two shipping methods, flat-rate taxes, the dummy card gateway capturing
at once, bank transfer, email notifications through Django's configured
backend: the console in development) and creates a demo voucher. It runs after
the demo data is seeded and may run again: every step overwrites or reuses
what is there. ``demo_shop_summary`` says how to buy in it.
"""

import json
from decimal import Decimal

from shop.discounts.models import Voucher, VoucherScope, VoucherType
from shop.plugins.builtin.dummy_payment import FAILING_CARDS, SUCCESS_CARD
from shop.plugins.services import save_plugin_configuration

DEMO_VOUCHER_CODE = "WELCOME10"
DEMO_SHIPPING_METHODS = [
    {
        "id": "standard",
        "name": "Standard (3-5 days)",
        "countries": "*",
        "bands": [
            {"max_kg": "2", "price": "4.90"},
            {"max_kg": "10", "price": "9.90"},
            {"max_kg": None, "price": "19.90"},
        ],
        "free_over": "100.00",
    },
    {
        "id": "express",
        "name": "Express (next day)",
        "countries": "*",
        "bands": [
            {"max_kg": "10", "price": "14.90"},
            {"max_kg": None, "price": "29.90"},
        ],
    },
]
DEMO_PLUGINS = {
    "shipping-rates": {"methods": json.dumps(DEMO_SHIPPING_METHODS, indent=2)},
    "flat-rate-taxes": {
        "rates": "DE=19\nFR=20\nGB=20\nNL=21\nIT=22\nES=21",
        "default_rate": "0",
        "default_country": "US",
    },
    "dummy-payment": {"auto_capture": True},
    "manual-payment": {
        "display_name": "Bank transfer",
        "instructions": "Transfer the total to IBAN DE00 0000 0000 0000 0000 00, "
        "quoting your order number.",
    },
    "email-notifications": {},
}


def configure_demo_shop() -> Voucher:
    """Makes the demo sellable; returns the demo voucher."""
    for plugin_id, changes in DEMO_PLUGINS.items():
        save_plugin_configuration(plugin_id, active=True, changes=changes)
    voucher, _ = Voucher.objects.update_or_create(
        code=DEMO_VOUCHER_CODE,
        defaults={
            "name": "Demo: 10% off the whole order",
            "type": VoucherType.PERCENTAGE,
            "value": Decimal("10"),
            "scope": VoucherScope.ORDER,
            "is_active": True,
        },
    )
    return voucher


def demo_shop_summary() -> list[str]:
    """How to buy in the demo: the voucher and the dummy gateway's test cards."""
    return [
        f"Demo voucher: {DEMO_VOUCHER_CODE} (10% off the whole order)",
        "Dummy gateway test cards (the payment_token):",
        f"  {SUCCESS_CARD}  success (captured at once)",
        *(f"  {card}  declined: {error}" for card, error in FAILING_CARDS.items()),
        "  anything else     declined: invalid_card",
    ]
