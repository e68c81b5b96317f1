"""Storefront test helpers: the default theme, a small shop, and a cart put in
the test client's session the way the storefront's add-to-cart does (the cart
service, its token in the session)."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template import engines
from wagtail.models import Site

from cms.factories import (
    CategoryPageFactory,
    ProductPageFactory,
    VariantFactory,
    home_page,
)
from shop.cart import identity
from shop.cart import services as cart_services
from themes.models import ThemeSettings

PASSWORD = "a-long-passphrase-42"
SHIPPING = {
    "shipping-first_name": "Ada",
    "shipping-last_name": "Lovelace",
    "shipping-street_address_1": "1 Main St",
    "shipping-city": "Springfield",
    "shipping-postal_code": "12345",
    "shipping-country": "US",
}


@pytest.fixture(autouse=True)
def default_theme(settings):
    settings.DEFAULT_THEME = "default"
    settings.THEMES_DIR = settings.BASE_DIR / "themes"
    for loader in engines["django"].engine.template_loaders:
        loader.reset()
    cache.delete_pattern("themes:site:*")


@pytest.fixture
def shop(shop_plugins):
    """A category with an Oxford shirt (20.00 USD, 5 in stock) and a linen
    shirt (35.50 USD, 3 in stock)."""
    home = home_page()
    shirts = CategoryPageFactory(parent=home, title="Shirts")
    oxford = ProductPageFactory(parent=shirts, title="Oxford shirt")
    linen = ProductPageFactory(parent=shirts, title="Linen shirt")
    return {
        "home": home,
        "oxford": VariantFactory(
            product=oxford,
            sku="OX-M",
            size="M",
            color="blue",
            price=Decimal("20.00"),
            stock=5,
        ),
        "linen": VariantFactory(
            product=linen,
            sku="LIN-L",
            size="L",
            color="white",
            price=Decimal("35.50"),
            stock=3,
        ),
    }


def fill_cart(client, user=None, lines=()):
    """Puts ``[(variant, quantity), ...]`` in the cart the client's requests
    mean: the user's, else a new anonymous cart whose token the session keeps."""
    cart = cart_services.get_or_create_cart(user=user)
    for variant, quantity in lines:
        cart_services.add_line(cart, variant.pk, quantity)
    if user is None:
        session = client.session
        session[identity.SESSION_KEY] = str(cart.token)
        session.save()
    return cart


@pytest.fixture
def theme(request):
    """The theme the default site renders the storefront with: "default", or
    what a test's ``pytest.mark.parametrize("theme", [...], indirect=True)``
    names."""
    return getattr(request, "param", settings.DEFAULT_THEME)


def use_theme(name: str) -> None:
    site = Site.objects.get(is_default_site=True)
    ThemeSettings.objects.update_or_create(site=site, defaults={"theme": name})


def browser_session_with_cart(lines) -> str:
    """A session holding a new anonymous cart of ``[(variant, quantity), ...]``;
    returns the session key, for the browser's session cookie."""
    cart = cart_services.get_or_create_cart()
    for variant, quantity in lines:
        cart_services.add_line(cart, variant.pk, quantity)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[identity.SESSION_KEY] = str(cart.token)
    session.create()
    return session.session_key


def session_cookie(base_url: str, key: str) -> dict:
    return {"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base_url}
