import re

import pytest

from shop.plugins.builtin.manual_payment import ManualPaymentPlugin
from shop.plugins.factories import checkout, line
from shop.plugins.manager import PluginsManager
from shop.plugins.types import Money, PaymentData, PaymentGateway, TransactionKind

pytestmark = pytest.mark.django_db

INSTRUCTIONS = "IBAN DE02 1203 0000 0000 2020 51\nReference: your order number"


@pytest.fixture
def manager(use_plugins):
    return use_plugins(
        {
            ManualPaymentPlugin: {
                "display_name": "Bank transfer",
                "instructions": INSTRUCTIONS,
                "currencies": "EUR",
            }
        }
    )


def payment(transaction_id=""):
    return PaymentData(
        gateway="manual-payment",
        amount=Money("80.00", "EUR"),
        payment_id=3,
        transaction_id=transaction_id,
    )


def test_authorization_succeeds_but_stays_pending(manager):
    response = manager.authorize_payment(payment())

    assert (
        response.kind,
        response.is_success,
        response.is_pending,
        response.amount,
        response.error,
    ) == (TransactionKind.AUTHORIZE, True, True, Money("80.00", "EUR"), "")
    assert re.match(r"^manual_[0-9a-f]{32}$", response.transaction_id)


@pytest.mark.parametrize(
    ("hook", "kind"),
    [
        (PluginsManager.capture_payment, TransactionKind.CAPTURE),
        (PluginsManager.refund_payment, TransactionKind.REFUND),
        (PluginsManager.void_payment, TransactionKind.VOID),
    ],
)
def test_staff_actions_succeed_and_are_not_pending(manager, hook, kind):
    authorized = manager.authorize_payment(payment())

    response = hook(manager, payment(transaction_id=authorized.transaction_id))

    assert (response.kind, response.is_success, response.is_pending) == (
        kind,
        True,
        False,
    )
    assert response.amount == Money("80.00", "EUR")


def test_payments_of_other_gateways_are_declined(manager):
    other = PaymentData(gateway="dummy-payment", amount=Money("1", "EUR"), payment_id=1)

    assert manager.authorize_payment(other) is None


def test_instructions_reach_shoppers_through_the_gateway(manager):
    gateways = manager.get_payment_gateways(
        checkout(line("1", currency="EUR"), currency="EUR")
    )

    assert gateways == [
        PaymentGateway(
            id="manual-payment",
            name="Bank transfer",
            currencies=("EUR",),
            config={"instructions": INSTRUCTIONS},
        )
    ]
    assert manager.get_payment_gateways(checkout(line("1"))) == []
