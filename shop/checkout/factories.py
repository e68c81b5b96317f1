"""Test data for checkouts: the built-in plugins configured like a small shop,
and checkouts ready to complete (checkout, order, payment and recommender tests)."""

import json

from shop.cart.models import Cart, CartLine
from shop.checkout.models import Checkout
from shop.plugins.manager import get_plugins_manager, invalidate_plugins_manager
from shop.plugins.services import save_plugin_configuration
from shop.stock.models import Stock

SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_address_1": "1 Main St",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
SHIPPING_METHODS = [
    {
        "id": "standard",
        "name": "Standard",
        "countries": "*",
        "bands": [{"max_kg": None, "price": "5.00"}],
    },
    {
        "id": "express",
        "name": "Express (Germany)",
        "countries": ["DE"],
        "bands": [{"max_kg": None, "price": "15.00"}],
    },
]
STANDARD = "shipping-rates:standard"


def configure_shop_plugins(auto_capture=False):
    invalidate_plugins_manager()
    for plugin_id, changes in {
        "shipping-rates": {"methods": json.dumps(SHIPPING_METHODS)},
        "flat-rate-taxes": {"rates": "DE=19", "default_rate": "0"},
        "manual-payment": {},
        "dummy-payment": {"auto_capture": auto_capture},
        "email-notifications": {},
    }.items():
        save_plugin_configuration(plugin_id, active=True, changes=changes)
    # The service invalidates on commit, which a test transaction never reaches.
    invalidate_plugins_manager()
    return get_plugins_manager()


def make_checkout(lines, *, user=None, email="ada@example.com", **fields):
    """A checkout of a new cart holding ``[(variant, quantity), ...]``, with
    email, addresses and standard shipping set."""
    cart = Cart.objects.create(user=user)
    CartLine.objects.bulk_create(
        CartLine(cart=cart, variant=variant, quantity=quantity)
        for variant, quantity in lines
    )
    defaults = {
        "email": email,
        "shipping_address": ADDRESS,
        "billing_address": ADDRESS,
        "shipping_method_id": STANDARD,
        "currency": "USD",
    }
    return Checkout.objects.create(cart=cart, user=user, **{**defaults, **fields})


def stock_of(variant) -> tuple[int, int]:
    """(on hand, allocated) of the variant."""
    row = Stock.objects.get(variant=variant)
    return row.quantity, row.quantity_allocated
