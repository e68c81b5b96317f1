import inspect
import sys
import textwrap
from importlib import metadata

import pytest
from django.core.exceptions import ValidationError

from shop.plugins.base import EVENT_HOOKS, VALUE_HOOKS, BasePlugin
from shop.plugins.manager import (
    PluginError,
    PluginsManager,
    get_plugins_manager,
    load_plugin_classes,
)
from shop.plugins.models import PluginConfiguration, PluginEventFailure
from shop.plugins.services import save_plugin_configuration
from shop.plugins.tests.sample_plugins import RECEIVED
from shop.plugins.types import CheckoutInfo, Money, untaxed

CHECKOUT = CheckoutInfo(token="t", currency="USD", lines=())

pytestmark = pytest.mark.django_db


def test_value_hook_chains_in_settings_order_with_previous_value(plugins):
    plugins("AddsStandardShipping", "DiscountsShipping")

    methods = get_plugins_manager().get_shipping_methods(CHECKOUT)

    assert [(m.id, m.price) for m in methods] == [
        ("tests.standard:standard", Money("2.50", "USD"))
    ]


def test_order_matters(plugins):
    plugins("DiscountsShipping", "AddsStandardShipping")

    methods = get_plugins_manager().get_shipping_methods(CHECKOUT)

    assert [m.price for m in methods] == [Money("5.00", "USD")]


def test_a_declining_plugin_passes_the_previous_value_on(plugins):
    plugins("AddsStandardShipping", "Declines")

    methods = get_plugins_manager().get_shipping_methods(CHECKOUT)

    assert [m.id for m in methods] == ["tests.standard:standard"]


def test_inactive_plugins_are_skipped(plugins):
    plugins("AddsStandardShipping", "DiscountsShipping")
    save_plugin_configuration("tests.halves", active=False, changes={})

    methods = get_plugins_manager().get_shipping_methods(CHECKOUT)

    assert [m.price for m in methods] == [Money("5.00", "USD")]


def test_a_failing_value_hook_fails_the_operation_with_a_clear_error(plugins):
    plugins("Broken")

    with pytest.raises(PluginError) as raised:
        get_plugins_manager().get_shipping_price(CHECKOUT, "x")

    assert str(raised.value) == (
        "Plugin tests.broken failed in get_shipping_price: rate table unreachable"
    )


def test_a_failing_event_hook_is_recorded_and_others_still_run(plugins):
    plugins("Broken", "AddsStandardShipping")

    get_plugins_manager().order_created({"id": 7})

    assert RECEIVED == [("tests.standard", "order_created", {"id": 7})]
    failure = PluginEventFailure.objects.get()
    assert (failure.plugin_id, failure.event, failure.error) == (
        "tests.broken",
        "order_created",
        "RuntimeError: boom",
    )


def test_a_failing_event_hook_does_not_fail_the_request(plugins):
    """The failure is swallowed inside the caller's transaction too."""
    from django.db import transaction

    plugins("Broken", "AddsStandardShipping")
    with transaction.atomic():
        get_plugins_manager().order_created({"id": 1})
        PluginConfiguration.objects.create(plugin_id="still-writable")

    assert PluginConfiguration.objects.filter(plugin_id="still-writable").exists()


def test_the_hook_lists_are_the_marked_base_methods():
    assert VALUE_HOOKS == {
        "get_shipping_methods",
        "get_shipping_price",
        "calculate_line_total",
        "calculate_shipping_total",
        "calculate_checkout_total",
        "get_payment_gateways",
        "authorize_payment",
        "capture_payment",
        "refund_payment",
        "void_payment",
    }
    assert EVENT_HOOKS == {
        "product_created",
        "product_updated",
        "product_deleted",
        "variant_out_of_stock",
        "variant_back_in_stock",
        "checkout_created",
        "checkout_updated",
        "order_created",
        "order_paid",
        "order_fulfilled",
        "order_cancelled",
        "order_refunded",
        "customer_created",
        "account_password_reset_requested",
        "account_registration_attempted",
    }


@pytest.mark.parametrize("hook", sorted(VALUE_HOOKS | EVENT_HOOKS))
def test_the_manager_has_a_typed_method_per_hook(hook):
    """Same arguments and annotations as the hook, less ``previous_value``."""
    base = inspect.signature(getattr(BasePlugin, hook))
    manager = inspect.signature(getattr(PluginsManager, hook))

    assert manager.return_annotation == base.return_annotation
    assert list(manager.parameters.values()) == [
        parameter
        for parameter in base.parameters.values()
        if parameter.name != "previous_value"
    ]


def test_the_checkout_total_starts_from_the_lines_and_shipping(plugins):
    plugins("AddsToTotal")
    line_totals = [untaxed(Money("2.00", "USD")), untaxed(Money("3.00", "USD"))]

    total = get_plugins_manager().calculate_checkout_total(
        CHECKOUT, line_totals, untaxed(Money("4.90", "USD"))
    )

    assert total == untaxed(Money("10.90", "USD"))


def test_missing_rows_fall_back_to_defaults_and_new_fields_get_theirs(plugins):
    plugins("Configurable")
    PluginConfiguration.objects.create(
        plugin_id="tests.configurable",
        active=True,
        configuration={"endpoint": "https://stored.test", "removed_field": "x"},
    )
    plugins("Configurable")  # reload

    plugin = get_plugins_manager().get_plugin("tests.configurable")

    assert plugin.active is True
    assert plugin.configuration == {
        "endpoint": "https://stored.test",
        "notes": "",
        "sandbox": True,
        "api_key": "",
        "password": "",
        "status": "ready",
    }


def test_configuration_is_validated_on_save(plugins):
    plugins("Configurable")

    with pytest.raises(ValidationError) as raised:
        save_plugin_configuration(
            "tests.configurable",
            active=True,
            changes={"endpoint": "", "sandbox": "maybe", "bogus": 1},
        )

    assert sorted(raised.value.message_dict) == ["bogus", "endpoint", "sandbox"]
    assert not PluginConfiguration.objects.exists()


def test_semantic_validation_of_a_plugin(plugins):
    plugins("Configurable")

    with pytest.raises(ValidationError) as raised:
        save_plugin_configuration(
            "tests.configurable", active=True, changes={"endpoint": "http://x"}
        )

    assert raised.value.message_dict == {"endpoint": ["Use https."]}


def test_secrets_are_masked_and_kept_when_left_empty(plugins):
    plugins("Configurable")
    save_plugin_configuration(
        "tests.configurable",
        active=True,
        changes={"api_key": "sk_live_abcdef1234", "password": "hunter22"},
    )
    save_plugin_configuration(
        "tests.configurable", active=True, changes={"api_key": "", "password": None}
    )

    plugin = get_plugins_manager().get_plugin("tests.configurable")
    assert plugin.configuration["api_key"] == "sk_live_abcdef1234"
    assert plugin.public_configuration(plugin.configuration) == {
        "endpoint": "https://x.test",
        "notes": "",
        "sandbox": True,
        "api_key": "****1234",
        "password": "********",
        "status": "ready",
    }


def test_saving_invalidates_the_process_manager_after_commit(
    plugins, django_capture_on_commit_callbacks
):
    plugins("AddsStandardShipping")
    before = get_plugins_manager()

    with django_capture_on_commit_callbacks(execute=True):
        save_plugin_configuration("tests.standard", active=False, changes={})
        assert get_plugins_manager() is before

    after = get_plugins_manager()
    assert after is not before
    assert after.get_plugin("tests.standard").active is False


def test_manager_costs_no_query_per_request_once_loaded(
    plugins, django_assert_num_queries
):
    plugins("AddsStandardShipping", "DiscountsShipping", "Configurable", "Declines")
    get_plugins_manager()

    with django_assert_num_queries(0):
        for _ in range(5):
            get_plugins_manager().get_shipping_methods(CHECKOUT)


def test_a_cold_manager_loads_every_configuration_in_one_query(
    plugins, django_assert_num_queries
):
    plugins("AddsStandardShipping", "DiscountsShipping", "Configurable", "Declines")

    with django_assert_num_queries(1):
        get_plugins_manager()


def test_plugins_announced_by_installed_packages_are_loaded(tmp_path, monkeypatch):
    """A third-party package ships a plugin through the entry-point group."""
    package = tmp_path / "acme_shop_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from shop.plugins.base import BasePlugin

            class AcmePlugin(BasePlugin):
                PLUGIN_ID = "acme.plugin"
                PLUGIN_NAME = "Acme"
            """
        )
    )
    dist_info = tmp_path / "acme_shop_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Name: acme-shop-plugin\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[shop.plugins]\nacme = acme_shop_plugin:AcmePlugin\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    load_plugin_classes.cache_clear()

    classes = load_plugin_classes(("shop.plugins.tests.sample_plugins.Declines",))

    assert [c.PLUGIN_ID for c in classes] == ["tests.declines", "acme.plugin"]
    assert "acme-shop-plugin" in {d.metadata["Name"] for d in metadata.distributions()}
    load_plugin_classes.cache_clear()
    sys.modules.pop("acme_shop_plugin", None)
