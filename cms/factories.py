"""factory-boy factories for the catalog; pages are added under their parent."""

from decimal import Decimal

import factory
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Site

from cms.models import (
    CategoryPage,
    Gender,
    HomePage,
    ProductCollection,
    ProductCollectionItem,
    ProductImage,
    ProductPage,
    Review,
    Variant,
)
from shop.stock.models import Stock


class PageFactory(factory.Factory):
    """Builds a page and adds it under `parent` (default: the site's home page)."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.LazyAttribute(lambda o: f"{o.title.lower().replace(' ', '-')}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        page = model_class(*args, **kwargs)
        parent = parent or home_page()
        parent.add_child(instance=page)
        return page


def home_page() -> HomePage:
    """The HomePage at the site root, created on first use."""
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Home", slug="home-shop"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "Shop"},
    )
    return home


class CategoryPageFactory(PageFactory):
    class Meta:
        model = CategoryPage

    title = factory.Sequence(lambda n: f"Category {n}")


class ProductPageFactory(PageFactory):
    class Meta:
        model = ProductPage

    title = factory.Sequence(lambda n: f"Product {n}")
    brand = "Acme"
    gender = Gender.UNISEX
    material = "cotton"
    description = "<p>A fine product.</p>"

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        return super()._create(
            model_class, *args, parent=parent or CategoryPageFactory(), **kwargs
        )


class VariantFactory(factory.django.DjangoModelFactory):
    """A variant with a stock row (quantity from `stock`, default 10)."""

    class Meta:
        model = Variant
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductPageFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    size = "M"
    color = "black"
    price = Decimal("49.90")
    currency = "USD"
    weight_kg = Decimal("0.500")

    @factory.post_generation
    def stock(obj, create, extracted, **kwargs):
        if create:
            Stock.objects.create(
                variant=obj, quantity=10 if extracted is None else extracted
            )


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    title = factory.Sequence(lambda n: f"Image {n}")
    file = factory.LazyFunction(get_test_image_file)


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductPageFactory)
    image = factory.SubFactory(ImageFactory)
    sort_order = factory.Sequence(lambda n: n)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductPageFactory)
    # By path: accounts sits above cms in the package graph (signing in merges
    # carts of catalog variants), so cms does not import it.
    user = factory.SubFactory("shop.accounts.factories.UserFactory")
    rating = 4
    title = "Good"
    body = "Fits well."


class ProductCollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCollection

    name = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")


class ProductCollectionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCollectionItem

    collection = factory.SubFactory(ProductCollectionFactory)
    product = factory.SubFactory(ProductPageFactory)


def add_product(category, title, variants=1, images=1, reviews=0):
    """A product page under `category` with that many variants (sized S-XL,
    priced from 20.00), images and reviews."""
    product = ProductPageFactory(parent=category, title=title, brand="Northwind")
    for number in range(images):
        ProductImageFactory(product=product, alt_text=f"{title} view {number}")
    for number in range(variants):
        VariantFactory(
            product=product,
            sku=f"{title.upper().replace(' ', '-')}-{number}",
            size=["S", "M", "L", "XL"][number % 4],
            price=Decimal("20.00") + number,
        )
    for _ in range(reviews):
        ReviewFactory(product=product)
    return product
