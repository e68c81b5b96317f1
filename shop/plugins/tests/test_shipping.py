import json

import pytest
from django.core.exceptions import ValidationError

from shop.plugins.builtin.shipping import ShippingRatesPlugin
from shop.plugins.factories import checkout, line
from shop.plugins.services import save_plugin_configuration
from shop.plugins.types import Money, ShippingMethod

pytestmark = pytest.mark.django_db

METHODS = [
    {
        "id": "standard",
        "name": "Standard",
        "countries": ["DE", "FR"],
        "bands": [
            {"max_kg": "2", "price": "4.90"},
            {"max_kg": "10", "price": "9.90"},
        ],
        "free_over": "50.00",
    },
    {
        "id": "world",
        "name": "Worldwide",
        "countries": "*",
        "bands": [{"max_kg": "5", "price": "24.00"}, {"max_kg": None, "price": "60"}],
    },
]


@pytest.fixture
def manager(use_plugins):
    return use_plugins({ShippingRatesPlugin: {"methods": json.dumps(METHODS)}})


def offered(manager, info):
    return [
        (m.id, m.name, m.price, m.plugin_id) for m in manager.get_shipping_methods(info)
    ]


def test_methods_for_the_country_are_priced_by_weight_band(manager):
    info = checkout(line("10.00", 2, weight_kg="1.5"), country="DE")

    assert offered(manager, info) == [
        ("shipping-rates:standard", "Standard", Money("9.90", "USD"), "shipping-rates"),
        ("shipping-rates:world", "Worldwide", Money("24.00", "USD"), "shipping-rates"),
    ]


def test_a_weight_exactly_on_a_band_limit_takes_that_band(manager):
    info = checkout(line("10.00", 1, weight_kg="2"), country="FR")

    assert offered(manager, info)[0][2] == Money("4.90", "USD")


def test_other_countries_get_only_the_methods_listing_them(manager):
    info = checkout(line("10.00", weight_kg="1"), country="US")

    assert [m[0] for m in offered(manager, info)] == ["shipping-rates:world"]


def test_without_shipping_address_only_every_country_methods_are_offered(manager):
    info = checkout(line("10.00", weight_kg="1"))

    assert [m[0] for m in offered(manager, info)] == ["shipping-rates:world"]


def test_a_method_without_a_band_for_the_weight_is_not_offered(manager):
    info = checkout(line("10.00", 1, weight_kg="12"), country="DE")

    assert offered(manager, info) == [
        ("shipping-rates:world", "Worldwide", Money("60", "USD"), "shipping-rates")
    ]


def test_shipping_is_free_from_the_free_over_subtotal(manager):
    info = checkout(line("25.00", 2, weight_kg="1"), country="DE")

    assert offered(manager, info)[0][2] == Money("0", "USD")
    assert offered(manager, checkout(line("49.99"), country="DE"))[0][2] == Money(
        "4.90", "USD"
    )


def test_prices_are_in_the_checkout_currency(manager):
    info = checkout(line("10.00", currency="EUR"), country="DE", currency="EUR")

    assert offered(manager, info)[0][2] == Money("4.90", "EUR")


def test_methods_of_earlier_plugins_are_kept(manager):
    earlier = ShippingMethod("other:pickup", "Pickup", Money(0, "USD"), "other")
    info = checkout(line("10.00"), country="US")
    plugin = manager.get_plugin("shipping-rates")

    methods = plugin.get_shipping_methods(info, previous_value=[earlier])

    assert [m.id for m in methods] == ["other:pickup", "shipping-rates:world"]


def test_price_of_a_method_for_the_checkout(manager):
    heavy = checkout(line("10.00", 1, weight_kg="3"), country="DE")

    def price(info, method_id):
        return manager.get_shipping_price(info, method_id)

    assert price(heavy, "shipping-rates:standard") == Money("9.90", "USD")
    assert price(heavy, "shipping-rates:nope") is None
    assert price(checkout(line("1"), country="US"), "shipping-rates:standard") is None


def test_price_of_another_plugins_method_is_declined(manager):
    info = checkout(line("10.00"), country="DE")
    plugin = manager.get_plugin("shipping-rates")

    declined = plugin.get_shipping_price(
        info, "other:pickup", previous_value=Money("3", "USD")
    )

    assert declined is NotImplemented


@pytest.mark.parametrize(
    ("methods", "error"),
    [
        (
            '[{"id": "a",',
            "not valid JSON: Expecting property name enclosed in "
            "double quotes (line 1, column 13)",
        ),
        ('{"id": "a"}', "expected a JSON list of methods"),
        ('[{"id": "a b"}]', "method 1: id must be letters, digits, - or _"),
        (
            '[{"id": "a", "name": "A", "countries": "*", "bands": []}]',
            "method 'a': bands: give at least one band",
        ),
        (
            '[{"id": "a", "name": "A", "countries": ["Germany"], "bands": []}]',
            "method 'a': countries: 'Germany' is not a two-letter country code",
        ),
        (
            '[{"id": "a", "name": "A", "countries": "*",'
            ' "bands": [{"max_kg": 5, "price": "x"}]}]',
            "method 'a': bands[0].price: 'x' is not a number",
        ),
        (
            '[{"id": "a", "name": "A", "countries": "*", "bands":'
            ' [{"max_kg": 5, "price": 1}, {"max_kg": 2, "price": 2}]}]',
            "method 'a': bands[1]: bands must go up in max_kg, null last",
        ),
        (
            '[{"id": "a", "name": "A", "countries": "*",'
            ' "bands": [{"max_kg": 5, "price": 1}], "free_over": -1}]',
            "method 'a': free_over: -1 must be zero or more",
        ),
        (
            '[{"id": "a", "name": "A", "countries": "*",'
            ' "bands": [{"max_kg": 5, "price": 1}], "cost": 1}]',
            "method 1: unknown keys ['cost']",
        ),
    ],
)
def test_bad_methods_are_refused_saying_where(use_plugins, methods, error):
    use_plugins({ShippingRatesPlugin: {}})

    with pytest.raises(ValidationError) as raised:
        save_plugin_configuration(
            "shipping-rates", active=True, changes={"methods": methods}
        )

    assert raised.value.message_dict == {"methods": [f"Invalid methods: {error}."]}
