"""Storefront test helpers: the default theme; a shop to browse (``shop``) and
one to buy from (``store``); a cart put in the test client's or the browser's
session the way add-to-cart does (the cart service, its token in the session);
the ``theme`` the browser tests run in."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template import engines
from wagtail.models import Site

from cms.factories import (
    CategoryPageFactory,
    ProductImageFactory,
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
    """The default theme, its templates freshly loaded. A test of another theme
    sets settings.DEFAULT_THEME in the same way."""
    settings.DEFAULT_THEME = "default"
    settings.THEMES_DIR = settings.BASE_DIR / "themes"
    for loader in engines["django"].engine.template_loaders:
        loader.reset()
    cache.delete_pattern("themes:site:*")


# title: gender, material, rating, popularity, [(size, colour, price, stock)]
SHIRTS = {
    "Oxford shirt": (
        "men",
        "cotton",
        "4.50",
        10,
        [
            ("S", "white", "40.00", 10),
            ("M", "white", "40.00", 2),
            ("M", "blue", "45.00", 0),
        ],
    ),
    "Linen shirt": (
        "women",
        "linen",
        "3.00",
        5,
        [("S", "white", "55.00", 5), ("L", "beige", "55.00", 5)],
    ),
    "Flannel shirt": ("unisex", "wool", "0.00", 1, [("M", "red", "35.00", 0)]),
    "Denim shirt": (
        "men",
        "cotton",
        "4.00",
        8,
        [("L", "blue", "60.00", 3), ("XL", "blue", "60.00", 3)],
    ),
}


@pytest.fixture
def shop(db):
    """Home > Clothing > Shirts with four shirts of several sizes, colours,
    materials, ratings and stock levels (SHIRTS)."""
    home = home_page()
    clothing = CategoryPageFactory(parent=home, title="Clothing", slug="clothing")
    shirts = CategoryPageFactory(parent=clothing, title="Shirts", slug="shirts")
    products, variants = {}, {}
    for title, (gender, material, rating, popularity, specs) in SHIRTS.items():
        product = ProductPageFactory(
            parent=shirts,
            title=title,
            slug=title.lower().replace(" ", "-"),
            gender=gender,
            material=material,
            rating_average=Decimal(rating),
            rating_count=1 if rating != "0.00" else 0,
            popularity=popularity,
        )
        ProductImageFactory(product=product, alt_text=f"{title} front")
        for size, color, price, stock in specs:
            variants[(title, size, color)] = VariantFactory(
                product=product,
                sku=f"{title.split()[0].upper()}-{size}-{color.upper()}",
                size=size,
                color=color,
                price=Decimal(price),
                stock=stock,
            )
        products[title] = product
    return {
        "home": home,
        "clothing": clothing,
        "shirts": shirts,
        "products": products,
        "variants": variants,
    }


@pytest.fixture
def store(shop_plugins):
    """For checkout: a category with an Oxford shirt (20.00 USD, 5 in stock) and a linen
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
