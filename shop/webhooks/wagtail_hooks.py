from wagtail import hooks
from wagtail.permissions import register_permission_policy

from shop.webhooks.models import WebhookDelivery
from shop.webhooks.viewsets import DeliveryLogPolicy, WebhooksViewSetGroup

register_permission_policy(WebhookDelivery, DeliveryLogPolicy(WebhookDelivery))


@hooks.register("register_admin_viewset")
def register_webhooks_admin():
    return WebhooksViewSetGroup()
