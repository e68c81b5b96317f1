from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template import engines

from cms.factories import (
    CategoryPageFactory,
    ProductImageFactory,
    ProductPageFactory,
    VariantFactory,
    home_page,
)


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
