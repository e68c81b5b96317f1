"""Redemptions racing on PostgreSQL: each thread has its own connection and
completes its own transaction, as concurrent checkouts do."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from shop.accounts.factories import UserFactory
from shop.discounts.factories import VoucherFactory
from shop.discounts.models import Voucher, VoucherUsage
from shop.discounts.services import VoucherError, redeem_voucher, release_voucher

# serialized_rollback: the flush after each test then leaves the data other
# tests rely on (Wagtail's root page and default site) in place.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(threads: int, redeem) -> Counter:
    """Runs redeem(i) in `threads` threads released at once, each in its own
    transaction that stays open a little after redeeming (as a checkout that
    goes on writing its order would); counts the outcomes."""
    barrier = threading.Barrier(threads)
    outcomes = Counter()
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait()
            with transaction.atomic():
                redeem(i)
                time.sleep(0.02)
            outcome = "redeemed"
        except VoucherError as error:
            outcome = error.code
        except Exception as error:  # noqa: BLE001 - any other failure is counted
            outcome = type(error).__name__
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return outcomes


def test_twenty_checkouts_race_for_five_uses():
    voucher = VoucherFactory(code="FIVE", usage_limit=5)

    outcomes = race(
        20, lambda i: redeem_voucher(voucher.pk, None, f"c{i}@example.com", i)
    )

    assert outcomes == Counter(redeemed=5, voucher_usage_limit_reached=15)
    assert Voucher.objects.get(pk=voucher.pk).used_count == 5
    assert VoucherUsage.objects.filter(voucher=voucher).count() == 5


def test_one_customer_racing_ten_checkouts_redeems_once():
    ada = UserFactory(email="ada@example.com")
    voucher = VoucherFactory(code="ONCE", usage_limit_per_customer=1)

    outcomes = race(
        10, lambda i: redeem_voucher(voucher.pk, ada.pk, "ada@example.com", i)
    )

    assert outcomes == Counter(redeemed=1, voucher_customer_limit_reached=9)
    assert Voucher.objects.get(pk=voucher.pk).used_count == 1
    assert VoucherUsage.objects.filter(voucher=voucher, user=ada).count() == 1


def test_a_guest_racing_under_two_spellings_of_one_email_redeems_once():
    voucher = VoucherFactory(code="ONCE", usage_limit_per_customer=1)
    spellings = ["bob@example.com", "Bob@Example.com"]

    outcomes = race(10, lambda i: redeem_voucher(voucher.pk, None, spellings[i % 2], i))

    assert outcomes == Counter(redeemed=1, voucher_customer_limit_reached=9)
    assert VoucherUsage.objects.get(voucher=voucher).email == "bob@example.com"


def test_cancellations_racing_new_checkouts_keep_the_count_exact():
    voucher = VoucherFactory(code="FIVE", usage_limit=5)
    with transaction.atomic():
        for order in range(5):
            redeem_voucher(voucher.pk, None, f"old{order}@example.com", order)

    # Threads 0-4 cancel the five orders while threads 5-19 check out.
    def cancel_or_redeem(i):
        if i < 5:
            release_voucher(voucher.pk, i)
        else:
            redeem_voucher(voucher.pk, None, f"new{i}@example.com", i)

    outcomes = race(20, cancel_or_redeem)

    # Every use given back is taken again; how many new checkouts get one
    # depends on the interleaving, never more than the five given back.
    redeemed = outcomes["redeemed"] - 5
    assert redeemed <= 5
    assert outcomes["voucher_usage_limit_reached"] == 15 - redeemed
    used = Voucher.objects.get(pk=voucher.pk).used_count
    assert used == VoucherUsage.objects.filter(voucher=voucher).count() == redeemed
