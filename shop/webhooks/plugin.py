from shop.plugins.base import EVENT_HOOKS, BasePlugin
from shop.webhooks.services import record_event


class WebhooksPlugin(BasePlugin):
    """Sends every event to the webhooks subscribed to it (see
    shop.webhooks.services for what a receiver gets)."""

    PLUGIN_ID = "shop.webhooks"
    PLUGIN_NAME = "Webhooks"
    PLUGIN_DESCRIPTION = (
        "Posts events to the webhooks registered in the admin: HMAC-signed, "
        "retried with backoff, every attempt logged."
    )
    DEFAULT_ACTIVE = True


def _records(event: str):
    def hook(self, payload: dict) -> None:
        record_event(event, payload)

    hook.__name__ = event
    hook.__qualname__ = f"WebhooksPlugin.{event}"
    hook.__doc__ = f"Records a {event} delivery for each subscribed webhook."
    return hook


# Every event hook does the same thing with its own event name.
for _event in EVENT_HOOKS:
    setattr(WebhooksPlugin, _event, _records(_event))
