import json

import pytest
from django.core.exceptions import ValidationError

from shop.plugins.builtin.shipping import ShippingRatesPlugin
from shop.plugins.builtin.taxes import FlatRateTaxesPlugin
from shop.plugins.factories import checkout, line
from shop.plugins.services import save_plugin_configuration
from shop.plugins.tests.sample_plugins import AddsToTotal
from shop.plugins.types import Money, TaxedMoney

pytestmark = pytest.mark.django_db

RATES = "DE=19\nFR=20\n# the US taxes nothing at the federal level\nUS=0"


def usd(net, gross):
    return TaxedMoney(Money(net, "USD"), Money(gross, "USD"))


@pytest.fixture
def taxes(use_plugins):
    def install(**changes):
        configuration = {"rates": RATES, "default_rate": "10", **changes}
        return use_plugins({FlatRateTaxesPlugin: configuration})

    return install


def test_net_prices_get_the_shipping_country_rate_added(taxes):
    manager = taxes()
    shirt = line("10.00", 3)

    total = manager.calculate_line_total(checkout(shirt, country="DE"), shirt)

    assert total == usd("30.00", "35.70")


def test_gross_prices_get_the_tax_taken_out(taxes):
    manager = taxes(prices_include_tax=True)
    shirt, mug = line("11.90"), line("10.00")
    info = checkout(shirt, mug, country="DE")

    assert manager.calculate_line_total(info, shirt) == usd("10.00", "11.90")
    assert manager.calculate_line_total(info, mug) == usd("8.40", "10.00")


def test_each_line_is_rounded_half_up(taxes):
    manager = taxes()
    cheap = line("1.15")

    total = manager.calculate_line_total(checkout(cheap, country="JP"), cheap)

    # 1.265 at the 10 % default rate: half-even rounding would give 1.26.
    assert total == usd("1.15", "1.27")


def test_country_falls_back_to_billing_then_the_default_country(taxes):
    manager = taxes(default_country="us")
    book = line("10.00")

    assert manager.calculate_line_total(checkout(book, billing="FR"), book) == usd(
        "10.00", "12.00"
    )
    assert manager.calculate_line_total(checkout(book), book) == usd("10.00", "10.00")


def test_without_any_country_the_default_rate_applies(taxes):
    manager = taxes()
    book = line("10.00")

    assert manager.calculate_line_total(checkout(book), book) == usd("10.00", "11.00")


def test_shipping_is_taxed_at_the_country_rate_unless_disabled(taxes):
    info = checkout(line("10.00"), country="DE")

    shipping = Money("4.90", "USD")

    taxed = taxes().calculate_shipping_total(info, shipping)
    untaxed_shipping = taxes(tax_shipping=False).calculate_shipping_total(
        info, shipping
    )

    assert taxed == usd("4.90", "5.83")
    assert untaxed_shipping == usd("4.90", "4.90")


def test_checkout_total_is_the_sum_of_the_rounded_lines_and_shipping(use_plugins):
    methods = [
        {
            "id": "standard",
            "name": "Standard",
            "countries": "*",
            "bands": [{"max_kg": None, "price": "4.90"}],
        }
    ]
    manager = use_plugins(
        {
            ShippingRatesPlugin: {"methods": json.dumps(methods)},
            FlatRateTaxesPlugin: {"rates": RATES},
        }
    )
    lines = [line("3.33", sku=sku) for sku in ("A", "B", "C")]
    info = checkout(*lines, country="DE", method="shipping-rates:standard")

    line_totals = [manager.calculate_line_total(info, item) for item in lines]
    shipping_price = manager.get_shipping_price(info, info.shipping_method_id)
    shipping = manager.calculate_shipping_total(info, shipping_price)

    total = manager.calculate_checkout_total(info, line_totals, shipping)

    # Each line is 3.96 gross; taxing the 14.89 net sum at once would give 17.72.
    assert [item.gross for item in line_totals] == [Money("3.96", "USD")] * 3
    assert total == usd("14.89", "17.71")


def test_checkout_total_is_the_sum_of_the_totals_it_is_given(use_plugins):
    """Not of totals it works out again, and whatever a plugin before it said."""
    manager = use_plugins({AddsToTotal: {}, FlatRateTaxesPlugin: {"rates": RATES}})
    info = checkout(line("10.00"), country="DE")

    total = manager.calculate_checkout_total(
        info, [usd("10.00", "11.90"), usd("5.00", "5.95")], usd("4.90", "5.83")
    )

    assert total == usd("19.90", "23.68")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"rates": "DE=19\nFRANCE=20"},
            {
                "rates": [
                    "Bad rate on line 2 ('FRANCE=20'): "
                    "'FRANCE' is not a two-letter country code."
                ]
            },
        ),
        (
            {"rates": "DE=19\n\nFR 20"},
            {"rates": ["Bad rate on line 3 ('FR 20'): expected COUNTRY=PERCENT."]},
        ),
        (
            {"rates": "DE=nineteen"},
            {
                "rates": [
                    "Bad rate on line 1 ('DE=nineteen'): 'nineteen' is not a number."
                ]
            },
        ),
        (
            {"rates": "DE=19\nDE=7"},
            {"rates": ["Bad rate on line 2 ('DE=7'): DE is listed twice."]},
        ),
        (
            {"default_rate": "120", "default_country": "USA"},
            {
                "default_rate": [
                    "Invalid rate: '120' is not a percentage between 0 and 100."
                ],
                "default_country": ["Use a two-letter country code, e.g. US."],
            },
        ),
    ],
)
def test_bad_configuration_is_refused_naming_the_problem(use_plugins, changes, errors):
    use_plugins({FlatRateTaxesPlugin: {}})

    with pytest.raises(ValidationError) as raised:
        save_plugin_configuration("flat-rate-taxes", active=True, changes=changes)

    assert raised.value.message_dict == errors


def test_valid_configuration_is_normalised_on_save(use_plugins):
    use_plugins({FlatRateTaxesPlugin: {}})

    row = save_plugin_configuration(
        "flat-rate-taxes",
        active=True,
        changes={
            "rates": "de = 19\nCH=8.1",
            "default_rate": " 7.70 ",
            "default_country": "de",
        },
    )

    assert row.configuration == {
        "rates": "de = 19\nCH=8.1",
        "default_rate": "7.70",
        "default_country": "DE",
        "prices_include_tax": False,
        "tax_shipping": True,
    }
