"""The plugins that ship with the shop; each is listed in ``settings.PLUGINS``."""
