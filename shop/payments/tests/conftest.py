from shop.checkout.tests.fixtures import empty_cache, shop_plugins, user

__all__ = ["empty_cache", "shop_plugins", "user"]
