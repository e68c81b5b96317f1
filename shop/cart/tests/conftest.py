import pytest
from rest_framework.test import APIClient

from cms.factories import VariantFactory
from shop.accounts.factories import UserFactory
from shop.cart.models import Cart


@pytest.fixture
def shopper():
    return UserFactory(email="ada@example.com")


@pytest.fixture
def signed_in(shopper):
    client = APIClient()
    client.force_authenticate(shopper)
    return client


@pytest.fixture
def variant():
    return VariantFactory(stock=10)


@pytest.fixture
def anonymous_cart():
    return Cart.objects.create()


@pytest.fixture
def headless(anonymous_cart):
    """An anonymous headless client holding its cart token."""
    client = APIClient()
    client.credentials(HTTP_X_CART_TOKEN=str(anonymous_cart.token))
    return client
