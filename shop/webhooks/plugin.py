from shop.plugins.base import BasePlugin
from shop.webhooks.services import record_event


class WebhooksPlugin(BasePlugin):
    """Records a delivery of every event for each webhook subscribed to it (see
    shop.webhooks.services for what a receiver gets); the event's name on the
    wire is its hook's name."""

    PLUGIN_ID = "shop.webhooks"
    PLUGIN_NAME = "Webhooks"
    PLUGIN_DESCRIPTION = (
        "Posts events to the webhooks registered in the admin: HMAC-signed, "
        "retried with backoff, every attempt logged."
    )
    DEFAULT_ACTIVE = True

    def product_created(self, payload):
        record_event("product_created", payload)

    def product_updated(self, payload):
        record_event("product_updated", payload)

    def product_deleted(self, payload):
        record_event("product_deleted", payload)

    def variant_out_of_stock(self, payload):
        record_event("variant_out_of_stock", payload)

    def variant_back_in_stock(self, payload):
        record_event("variant_back_in_stock", payload)

    def checkout_created(self, payload):
        record_event("checkout_created", payload)

    def checkout_updated(self, payload):
        record_event("checkout_updated", payload)

    def order_created(self, payload):
        record_event("order_created", payload)

    def order_paid(self, payload):
        record_event("order_paid", payload)

    def order_fulfilled(self, payload):
        record_event("order_fulfilled", payload)

    def order_cancelled(self, payload):
        record_event("order_cancelled", payload)

    def order_refunded(self, payload):
        record_event("order_refunded", payload)

    def customer_created(self, payload):
        record_event("customer_created", payload)

    def account_password_reset_requested(self, payload):
        record_event("account_password_reset_requested", payload)

    def account_registration_attempted(self, payload):
        record_event("account_registration_attempted", payload)
