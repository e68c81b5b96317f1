import threading

import pytest
from django.db import connection

from cms.factories import VariantFactory
from shop.accounts import services as accounts
from shop.accounts.factories import UserFactory
from shop.accounts.models import User
from shop.cart import services
from shop.cart.models import Cart, CartLine

# serialized_rollback: the flush after a transactional test would drop the
# page tree root that migrations create, which later tests rely on.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(count, work):
    """Runs work(i) in `count` threads released at once; returns the outcomes."""
    barrier = threading.Barrier(count)
    outcomes = []

    def run(i):
        barrier.wait()
        try:
            outcomes.append(work(i))
        except Exception as exc:
            outcomes.append(getattr(exc, "code", type(exc).__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_adds_to_one_cart_all_count():
    cart = Cart.objects.create()
    variant = VariantFactory(stock=100)

    outcomes = run_together(
        10, lambda i: services.add_line(cart, variant.pk, 2).quantity
    )

    assert sorted(outcomes) == list(range(2, 21, 2))
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [20]


def test_concurrent_adds_never_pass_the_stock():
    cart = Cart.objects.create()
    variant = VariantFactory(stock=5)

    outcomes = run_together(
        8, lambda i: services.add_line(cart, variant.pk, 1).quantity
    )

    assert sorted(outcomes, key=str) == [1, 2, 3, 4, 5] + ["insufficient_stock"] * 3
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [5]


def test_concurrent_first_carts_of_a_user_make_one():
    user = UserFactory()

    outcomes = run_together(6, lambda i: services.get_or_create_cart(user=user).pk)

    assert len(set(outcomes)) == 1
    assert Cart.objects.filter(user=user).count() == 1


def test_concurrent_sign_ups_with_one_email_make_one_account():
    outcomes = run_together(
        4,
        lambda i: accounts.register_user(
            ["nia@example.com", "NIA@example.com"][i % 2], "secret-pass-123"
        ),
    )

    # The others were told apart by nothing but None (their owner is emailed).
    assert sorted(outcomes, key=str) == [None] * 3 + [User.objects.get()]
    assert list(User.objects.values_list("email", flat=True)) == ["nia@example.com"]
