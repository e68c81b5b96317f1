import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from shop.plugins.builtin.email import EmailNotificationsPlugin
from shop.plugins.services import save_plugin_configuration

pytestmark = pytest.mark.django_db


def money(amount):
    return {"amount": amount, "currency": "USD"}


ORDER = {
    "id": 12,
    "number": "1012",
    "email": "ada@example.com",
    "lines": [
        {
            "name": "Mug <Blue>",
            "sku": "MUG-1",
            "quantity": 2,
            "unit_price": money("6.15"),
            "total": money("12.30"),
        },
        {
            "name": "Tea",
            "sku": "TEA-1",
            "quantity": 1,
            "unit_price": money("5.00"),
            "total": money("5.00"),
        },
    ],
    "subtotal": money("17.30"),
    "shipping": money("4.90"),
    "discount": money("2.00"),
    "voucher_code": "TWO",
    "taxes": money("3.23"),
    "total": money("20.20"),
    "tracking_number": "",
}


@pytest.fixture
def manager(use_plugins, settings):
    settings.WAGTAIL_SITE_NAME = "Acme"
    settings.DEFAULT_FROM_EMAIL = "noreply@acme.test"
    return use_plugins({EmailNotificationsPlugin: {}})


def notify(capture, hook, payload):
    with capture(execute=True):
        hook(payload)


def test_order_confirmation_after_commit(manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        manager.order_created(ORDER)
        assert mail.outbox == []

    for callback in callbacks:
        callback()

    [message] = mail.outbox
    assert message.subject == "Acme: order 1012 confirmed"
    assert message.to == ["ada@example.com"]
    assert message.from_email == "noreply@acme.test"
    assert message.body == (
        "Thank you for your order 1012.\n\n"
        "2 x Mug <Blue>: 12.30 USD\n"
        "1 x Tea: 5.00 USD\n"
        "Subtotal: 17.30 USD\n"
        "Shipping: 4.90 USD\n"
        "Discount (TWO): -2.00 USD\n"
        "Total: 20.20 USD\n"
        "Tax included in the total: 3.23 USD\n\n"
        "We will let you know when it ships.\n\n"
        "Acme\n"
    )
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<h1>Thank you for your order 1012</h1>" in html
    assert "<td>2 × Mug &lt;Blue&gt;</td>" in html


def test_shipping_notice_carries_the_tracking_number(
    manager, django_capture_on_commit_callbacks
):
    notify(
        django_capture_on_commit_callbacks,
        manager.order_fulfilled,
        {**ORDER, "tracking_number": "1Z999AA10123456784"},
    )

    [message] = mail.outbox
    assert message.subject == "Acme: order 1012 shipped"
    assert message.body.startswith(
        "Your order 1012 is on its way.\n\nTracking number: 1Z999AA10123456784\n"
    )
    assert "<strong>1Z999AA10123456784</strong>" in message.alternatives[0][0]


def test_cancellation_notice(manager, django_capture_on_commit_callbacks):
    notify(django_capture_on_commit_callbacks, manager.order_cancelled, ORDER)

    [message] = mail.outbox
    assert message.subject == "Acme: order 1012 cancelled"
    assert message.body.startswith("Your order 1012 has been cancelled.\n")
    assert "Any payment taken will be refunded." in message.body


def test_password_reset_link(manager, django_capture_on_commit_callbacks):
    payload = {
        "email": "ada@example.com",
        "reset_url": "https://shop.test/account/reset/MQ/abc-123/",
    }

    notify(
        django_capture_on_commit_callbacks,
        manager.account_password_reset_requested,
        payload,
    )

    [message] = mail.outbox
    assert (message.subject, message.to) == (
        "Acme: reset your password",
        ["ada@example.com"],
    )
    assert "open this link:\nhttps://shop.test/account/reset/MQ/abc-123/\n" in (
        message.body
    )
    assert (
        '<a href="https://shop.test/account/reset/MQ/abc-123/">'
        in (message.alternatives[0][0])
    )


def test_a_rolled_back_change_sends_nothing(
    manager, django_capture_on_commit_callbacks
):
    class Failed(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Failed), transaction.atomic():
            manager.order_created(ORDER)
            raise Failed

    assert callbacks == []
    assert mail.outbox == []


def test_configured_sender_and_switched_off_notifications(
    use_plugins, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_SITE_NAME = "Acme"
    manager = use_plugins(
        {
            EmailNotificationsPlugin: {
                "sender": "orders@acme.test",
                "order_cancelled": False,
            }
        }
    )

    notify(django_capture_on_commit_callbacks, manager.order_cancelled, ORDER)
    notify(django_capture_on_commit_callbacks, manager.order_created, ORDER)

    [message] = mail.outbox
    assert (message.subject, message.from_email) == (
        "Acme: order 1012 confirmed",
        "orders@acme.test",
    )


def test_payloads_without_email_send_nothing(
    manager, django_capture_on_commit_callbacks
):
    notify(
        django_capture_on_commit_callbacks,
        manager.order_created,
        {**ORDER, "email": ""},
    )

    assert mail.outbox == []


def test_sender_must_be_an_email_address(manager):
    with pytest.raises(ValidationError) as raised:
        save_plugin_configuration(
            "email-notifications", active=True, changes={"sender": "acme shop"}
        )

    assert raised.value.message_dict == {"sender": ["Enter a valid email address."]}
