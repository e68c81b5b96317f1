import re

import pytest
from django.core.exceptions import ValidationError

from shop.plugins.builtin.dummy_payment import DummyPaymentPlugin
from shop.plugins.builtin.manual_payment import ManualPaymentPlugin
from shop.plugins.factories import checkout, line
from shop.plugins.manager import PluginsManager
from shop.plugins.services import save_plugin_configuration
from shop.plugins.types import (
    GatewayResponse,
    Money,
    PaymentData,
    PaymentGateway,
    TransactionKind,
)

pytestmark = pytest.mark.django_db

TRANSACTION_ID = re.compile(r"^dummy_[0-9a-f]{32}$")


@pytest.fixture
def manager(use_plugins):
    return use_plugins({DummyPaymentPlugin: {"currencies": "usd, EUR"}})


def payment(token="", amount="25.00", currency="USD", transaction_id=""):
    return PaymentData(
        gateway="dummy-payment",
        amount=Money(amount, currency),
        payment_id=7,
        token=token,
        transaction_id=transaction_id,
    )


def test_the_success_card_authorizes(manager):
    response = manager.authorize_payment(payment("4242424242424242"))

    assert (response.kind, response.is_success, response.amount, response.error) == (
        TransactionKind.AUTHORIZE,
        True,
        Money("25.00", "USD"),
        "",
    )
    assert TRANSACTION_ID.match(response.transaction_id)
    assert response.is_pending is False
    assert response.raw_response == {"card_last4": "4242", "outcome": "ok"}


@pytest.mark.parametrize(
    ("card", "error"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000119", "processing_error"),
        ("1234", "invalid_card"),
        ("", "invalid_card"),
    ],
)
def test_test_cards_fail_with_their_error(manager, card, error):
    response = manager.authorize_payment(payment(card))

    assert response == GatewayResponse(
        kind=TransactionKind.AUTHORIZE,
        is_success=False,
        amount=Money("25.00", "USD"),
        error=error,
        raw_response={"card_last4": card[-4:], "outcome": error},
    )


def test_unsupported_currency_and_non_positive_amounts_fail(manager):
    gbp = manager.authorize_payment(payment("4242424242424242", currency="GBP"))
    zero = manager.authorize_payment(payment("4242424242424242", amount="0"))

    assert (gbp.is_success, gbp.error) == (False, "unsupported_currency")
    assert (zero.is_success, zero.error) == (False, "invalid_amount")


def test_auto_capture_captures_on_authorization(use_plugins):
    manager = use_plugins({DummyPaymentPlugin: {"auto_capture": True}})

    response = manager.authorize_payment(payment("4242424242424242"))

    assert (response.kind, response.is_success) == (TransactionKind.CAPTURE, True)


@pytest.mark.parametrize(
    ("hook", "kind"),
    [
        (PluginsManager.capture_payment, TransactionKind.CAPTURE),
        (PluginsManager.refund_payment, TransactionKind.REFUND),
        (PluginsManager.void_payment, TransactionKind.VOID),
    ],
)
def test_follow_ups_need_an_earlier_transaction_of_this_gateway(manager, hook, kind):
    authorized = manager.authorize_payment(payment("4242424242424242"))

    done = hook(manager, payment(transaction_id=authorized.transaction_id))
    missing = hook(manager, payment())
    foreign = hook(manager, payment(transaction_id="ch_123"))

    assert (done.kind, done.is_success, done.amount) == (
        kind,
        True,
        Money("25.00", "USD"),
    )
    assert TRANSACTION_ID.match(done.transaction_id)
    assert done.transaction_id != authorized.transaction_id
    assert (missing.is_success, missing.error) == (False, "missing_transaction")
    assert (foreign.is_success, foreign.error) == (False, "unknown_transaction")


def test_partial_refunds_answer_for_the_amount_asked(manager):
    refund = manager.refund_payment(payment(amount="5.50", transaction_id="dummy_1"))
    nothing = manager.refund_payment(payment(amount="0", transaction_id="dummy_1"))

    assert (refund.is_success, refund.amount) == (True, Money("5.50", "USD"))
    assert (nothing.is_success, nothing.error) == (False, "invalid_amount")


def test_payments_of_other_gateways_are_declined(manager):
    other = PaymentData(gateway="stripe", amount=Money("1", "USD"), payment_id=1)

    assert manager.authorize_payment(other) is None
    assert manager.capture_payment(other) is None
    assert manager.refund_payment(other) is None
    assert manager.void_payment(other) is None


def test_the_gateway_is_offered_for_its_currencies(manager):
    usd = manager.get_payment_gateways(checkout(line("1")))
    gbp = manager.get_payment_gateways(
        checkout(line("1", currency="GBP"), currency="GBP")
    )

    assert usd == [
        PaymentGateway(
            id="dummy-payment",
            name="Dummy payment gateway",
            currencies=("USD", "EUR"),
            config={"auto_capture": False},
        )
    ]
    assert gbp == []


def test_empty_currencies_mean_the_default_currency(use_plugins, settings):
    settings.DEFAULT_CURRENCY = "EUR"
    manager = use_plugins({ManualPaymentPlugin: {}, DummyPaymentPlugin: {}})

    gateways = manager.get_payment_gateways(None)

    assert [(g.id, g.currencies) for g in gateways] == [
        ("manual-payment", ("EUR",)),
        ("dummy-payment", ("EUR",)),
    ]


def test_bad_currencies_are_refused(use_plugins):
    use_plugins({DummyPaymentPlugin: {}})

    with pytest.raises(ValidationError) as raised:
        save_plugin_configuration(
            "dummy-payment", active=True, changes={"currencies": "USD,euro,E1"}
        )

    assert raised.value.message_dict == {
        "currencies": ["Not three-letter currency codes: EURO, E1."]
    }
