import pytest

from cms.factories import CategoryPageFactory, ProductPageFactory, VariantFactory
from cms.models import CategoryPage, HomePage, ProductPage


@pytest.mark.django_db
def test_product_factory_builds_home_category_product_tree():
    variant = VariantFactory(stock=3)

    product = ProductPage.objects.get()
    category = CategoryPage.objects.get()
    assert variant.product_id == product.pk
    assert variant.stock.quantity == 3
    assert product.get_parent().specific == category
    assert category.get_parent().specific == HomePage.objects.get()


@pytest.mark.django_db
def test_nested_categories():
    parent = CategoryPageFactory(title="Clothing")
    child = CategoryPageFactory(title="Shirts", parent=parent)
    product = ProductPageFactory(parent=child)

    assert list(ProductPage.objects.descendant_of(parent)) == [product]
