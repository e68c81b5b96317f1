"""Email notifications to shoppers, sent by a Celery task after commit.

Events and the payloads this plugin reads (the services that emit the events
build them; keys not listed are ignored):

- ``order_created`` (order confirmation: sent once the payment is accepted,
  never for a declined one), ``order_fulfilled`` (shipped),
  ``order_cancelled``: an order payload::

      {
        "id": 12,
        "number": "1012",
        "email": "ada@example.com",
        "lines": [
          {"name": "Mug", "sku": "MUG-1", "quantity": 2,
           "unit_price": {"amount": "6.15", "currency": "USD"},
           "total": {"amount": "12.30", "currency": "USD"}}
        ],
        "subtotal": {"amount": "12.30", "currency": "USD"},
        "shipping": {"amount": "4.90", "currency": "USD"},
        "discount": {"amount": "2.00", "currency": "USD"},
        "voucher_code": "TWO",                # "" without a voucher
        "taxes": {"amount": "2.42", "currency": "USD"},  # included in total
        "total": {"amount": "15.20", "currency": "USD"},
        "tracking_number": "1Z999"          # order_fulfilled only, may be ""
      }

- ``account_password_reset_requested``: ``{"email": ..., "reset_url": ...}``.
- ``account_registration_attempted`` (someone signed up with an existing
  account's email): ``{"email": ...}``.

Each notification renders three templates under ``plugins/email/``:
``<name>_subject.txt``, ``<name>.txt`` and ``<name>.html`` (a theme may
override them). Nothing is queued when the payload has no email or the
notification is switched off, and nothing goes out for a change that rolls
back: the task is queued with ``transaction.on_commit``.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from shop.plugins.base import BasePlugin, ConfigField, FieldType
from shop.plugins.tasks import send_notification_email

ORDER_CONFIRMATION = "order_confirmation"
ORDER_SHIPPED = "order_shipped"
ORDER_CANCELLED = "order_cancelled"
PASSWORD_RESET = "password_reset"
REGISTRATION_ATTEMPTED = "registration_attempted"


def switch(name: str, label: str) -> ConfigField:
    return ConfigField(name, FieldType.BOOLEAN, default=True, label=label)


class EmailNotificationsPlugin(BasePlugin):
    PLUGIN_ID = "email-notifications"
    PLUGIN_NAME = "Email notifications"
    PLUGIN_DESCRIPTION = (
        "Order confirmation, shipping, cancellation, password reset and "
        "sign-up attempt emails."
    )
    CONFIG_FIELDS = (
        ConfigField(
            "sender",
            FieldType.STRING,
            default="",
            label="Sender address",
            help_text="E.g. shop@example.com. Empty: DEFAULT_FROM_EMAIL.",
        ),
        switch(ORDER_CONFIRMATION, "Send order confirmations"),
        switch(ORDER_SHIPPED, "Send shipping notifications"),
        switch(ORDER_CANCELLED, "Send cancellation notices"),
        switch(PASSWORD_RESET, "Send password reset links"),
        switch(
            REGISTRATION_ATTEMPTED,
            "Tell account owners when someone signs up with their email",
        ),
    )

    @classmethod
    def clean_configuration(cls, configuration):
        cleaned = super().clean_configuration(configuration)
        cleaned["sender"] = cleaned["sender"].strip()
        if cleaned["sender"]:
            try:
                validate_email(cleaned["sender"])
            except ValidationError:
                raise ValidationError(
                    {"sender": "Enter a valid email address."}
                ) from None
        return cleaned

    def queue(self, notification: str, recipient: str, context: dict) -> None:
        if not self.configuration[notification] or not recipient:
            return
        # robust: the change is committed already; a broker outage must not
        # turn it into an error for the shopper.
        transaction.on_commit(
            partial(
                send_notification_email.delay,
                notification,
                recipient,
                self.configuration["sender"],
                context,
            ),
            robust=True,
        )

    def order_created(self, payload):
        self.queue(ORDER_CONFIRMATION, payload.get("email", ""), {"order": payload})

    def order_fulfilled(self, payload):
        self.queue(ORDER_SHIPPED, payload.get("email", ""), {"order": payload})

    def order_cancelled(self, payload):
        self.queue(ORDER_CANCELLED, payload.get("email", ""), {"order": payload})

    def account_password_reset_requested(self, payload):
        self.queue(PASSWORD_RESET, payload.get("email", ""), payload)

    def account_registration_attempted(self, payload):
        self.queue(REGISTRATION_ATTEMPTED, payload.get("email", ""), payload)
