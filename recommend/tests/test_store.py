import os
import signal
import subprocess
import sys
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from cms.selectors import catalog_products
from recommend import pipeline, services, training
from recommend.models import Interaction, StoredValue
from recommend.store import (
    DatabaseStore,
    RedisStore,
    VersionGone,
    decode_scored,
    encode_rows,
    encode_scored,
    get_store,
)


@pytest.fixture(params=["redis", "database"])
def store(request, settings):
    if request.param == "database":
        request.getfixturevalue("db")
        settings.REDIS_URL = ""
    store = get_store()
    assert isinstance(store, RedisStore if request.param == "redis" else DatabaseStore)
    return store


def publish(store, fields) -> str:
    version = store.begin()
    store.write(version, fields)
    store.publish(version)
    return version


@pytest.mark.services
def test_a_reader_during_a_write_sees_the_old_version_then_the_new(store):
    # given a published version
    old = publish(store, {"similar:1": "2:0.5000", "popular": "1:9.0000"})

    # when a new version is written in steps, read between the steps
    new = store.begin()
    seen = [store.read(["similar:1", "popular"])]
    store.write(new, {"similar:1": "3:0.9000"})
    seen.append(store.read(["similar:1", "popular"]))
    store.write(new, {"popular": "3:7.0000"})
    seen.append(store.read(["similar:1", "popular"]))
    store.publish(new)
    seen.append(store.read(["similar:1", "popular"]))

    # then every read is one whole version, the old one until the flip
    old_answer = (old, ["2:0.5000", "1:9.0000"])
    new_answer = (new, ["3:0.9000", "3:7.0000"])
    assert seen == [old_answer, old_answer, old_answer, new_answer]


@pytest.mark.services
def test_a_replaced_version_expires_and_an_unpublished_one_too(settings):
    store = get_store()
    first = publish(store, {"popular": "1:1.0000"})
    assert store.client.ttl(store.version_prefix + first) == -1

    second = publish(store, {"popular": "2:1.0000"})
    abandoned = store.begin()

    old_ttl = settings.RECOMMEND["OLD_VERSION_TTL_SECONDS"]
    build_ttl = settings.RECOMMEND["BUILD_TTL_SECONDS"]
    assert 0 < store.client.ttl(store.version_prefix + first) <= old_ttl
    assert store.client.ttl(store.version_prefix + second) == -1
    assert 0 < store.client.ttl(store.version_prefix + abandoned) <= build_ttl


@pytest.mark.services
def test_publishing_a_version_that_expired_is_refused():
    store = get_store()
    version = store.begin()
    store.client.delete(store.version_prefix + version)

    with pytest.raises(VersionGone):
        store.publish(version)
    assert store.current() is None


def test_a_training_run_that_dies_leaves_the_previous_version(catalog, monkeypatch):
    # given a trained and published model
    first = pipeline.train_now()
    before = services.similar_ids(catalog["products"]["men-boot-1"].pk)

    # when the next run dies halfway, after writing part of its version
    def die(*args, **kwargs):
        raise MemoryError("worker killed")

    Interaction.objects.create(
        session_id="s-1",
        product=catalog["products"]["women-top-1"],
        kind="purchase",
        created_at="2026-01-01T00:00Z",
    )
    monkeypatch.setattr(training, "shard_fields", die)
    with pytest.raises(MemoryError):
        pipeline.train_now()

    # then readers are still served the first version, unchanged
    after = services.similar_ids(catalog["products"]["men-boot-1"].pk)
    assert get_store().current() == first
    assert after == before
    assert after.version == first and not after.fallback


def test_redis_down_falls_back_to_database_popularity(catalog, settings):
    # given products with stored popularity and a store at a closed port
    products = catalog["products"]
    for rank, slug in enumerate(["men-top-1", "women-boot-1", "men-boot-2"]):
        products[slug].popularity = 30.0 - rank
        products[slug].save()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    # when
    similar = services.similar_ids(products["men-boot-1"].pk)
    popular = services.popular_ids()
    mine = services.for_shopper_ids(session_id="nobody")

    # then popularity, flagged as a fallback, never an error
    for ranked in (similar, popular, mine):
        assert ranked.fallback is True
        assert ranked.version is None
    assert [pk for pk, _ in popular.items[:3]] == [
        products[slug].pk for slug in ["men-top-1", "women-boot-1", "men-boot-2"]
    ]
    products = services.ranked_products(similar, catalog_products(), limit=2)
    assert [product.title for product in products] == [
        "Men cotton top",
        "Women leather boot",
    ]


KILLED_RUN = """
import sys, time
import django
django.setup()
import numpy as np
from django.conf import settings
from recommend import training
from recommend.collaborative import Interactions
from recommend.store import RedisStore
from recommend.features import Item


class Stalling(RedisStore):
    def write(self, version, fields):
        super().write(version, fields)
        print(version, flush=True)
        time.sleep(60)


items = [Item(id=n, title=f'Cotton shirt {n}', category_path=('Tops',))
         for n in range(1, 51)]
nothing = Interactions(np.zeros(0, int), np.zeros(0, int), np.zeros(0, object),
                       np.zeros(0))
training.train(items, [()] * len(items), nothing, Stalling(*sys.argv[1:3]),
               settings.RECOMMEND, now=time.time())
"""


@pytest.mark.services
def test_a_training_process_killed_mid_write_leaves_the_old_version(settings):
    # given a published version
    store = get_store()
    old = publish(store, {"popular": "1:9.0000", "similar:1": "2:0.5000"})

    # when a training process is killed (SIGKILL) after its first write
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_RUN,
            settings.REDIS_URL,
            settings.RECOMMEND["KEY_PREFIX"],
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shop.settings.test"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        unfinished = process.stdout.readline().strip()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    # then readers get the old version; the unfinished one expires on its own
    assert unfinished and unfinished != old
    assert store.client.hget(store.version_prefix + unfinished, "popular")
    assert store.read(["popular", "similar:1"]) == (old, ["1:9.0000", "2:0.5000"])
    assert store.client.ttl(store.version_prefix + unfinished) > 0


def test_the_database_store_expires_replaced_versions_only(settings, db):
    # given the store of the embedded default, a version published and replaced
    settings.REDIS_URL = ""
    store = get_store()
    first = publish(store, {"popular": "1:1.0000"})
    second = publish(store, {"popular": "2:1.0000"})
    rows = StoredValue.objects.filter(prefix=store.prefix)
    # then the current version never expires and the replaced one does
    assert set(rows.filter(version=second).values_list("expires_at", flat=True)) == {
        None
    }
    assert None not in set(
        rows.filter(version=first).values_list("expires_at", flat=True)
    )
    # and once expired, the next publish deletes it
    rows.filter(version=first).update(expires_at=timezone.now() - timedelta(1))
    third = publish(store, {"popular": "3:1.0000"})
    assert not rows.filter(version=first).exists()
    assert store.read(["popular"]) == (third, ["3:1.0000"])


def test_the_database_store_refuses_to_publish_an_expired_build(settings, db):
    settings.REDIS_URL = ""
    store = get_store()
    version = store.begin()
    StoredValue.objects.filter(version=version).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(VersionGone):
        store.publish(version)
    assert store.current() is None


def test_encoded_rows_read_back_as_their_pairs():
    ids = np.array([[12, 40, -1], [-1, -1, -1]])
    scores = np.array([[0.87314, 0.512, 0.0], [0.0, 0.0, 0.0]], dtype=np.float32)

    encoded = encode_rows(ids, scores)

    assert encoded == ["12:0.8731,40:0.5120", ""]
    assert decode_scored(encoded[0]) == [(12, 0.8731), (40, 0.512)]
    assert encoded[0] == encode_scored([(12, 0.87314), (40, 0.512)])


def test_encoded_rows_match_encode_scored_digit_for_digit():
    # Ties round half to even (0.03125 is exact in binary), a negative zero
    # keeps its sign, padding may sit anywhere, ids and whole parts vary in width.
    ids = np.array(
        [[0, -1, 7, 123456789012], [5, 3, -1, -1], [-1, -1, -1, 42]], dtype=np.int64
    )
    scores = np.array(
        [[0.03125, 0.5, 12.34565, 0.99995], [-0.0, 0.00005, 0.0, 0.0], [0, 0, 0, 1]],
        dtype=np.float32,
    )

    encoded = encode_rows(ids, scores)

    assert encoded == [
        "0:0.0312,7:12.3456,123456789012:0.9999",
        "5:-0.0000,3:0.0000",
        "42:1.0000",
    ]
    assert encoded == [
        encode_scored(
            (item, float(score))
            for item, score in zip(row_ids, row_scores, strict=True)
            if item >= 0
        )
        for row_ids, row_scores in zip(ids.tolist(), scores.tolist(), strict=True)
    ]


@pytest.mark.services
def test_a_late_publish_never_brings_an_older_version_back(store):
    # given two runs, the newer one published first
    older = store.begin()
    store.write(older, {"popular": "1:1.0000"})
    newer = publish(store, {"popular": "2:1.0000"})

    # when the older run's publish arrives late, or the newer one's again
    assert store.publish(older) is False
    assert store.publish(newer) is False

    # then the newer version stays
    assert store.read(["popular"]) == (newer, ["2:1.0000"])


@pytest.mark.services
def test_a_blob_travels_in_parts(store, monkeypatch):
    monkeypatch.setattr("recommend.store.BLOB_PART", 4)
    version = store.begin()

    store.put_blob(version, "prepared", b"0123456789")

    assert store.get_blob(version, "prepared") == b"0123456789"
    store.delete_blob(version, "prepared")
    with pytest.raises(VersionGone):
        store.get_blob(version, "prepared")


@pytest.mark.services
def test_a_shard_that_runs_twice_counts_once(store):
    version = store.begin()

    assert store.mark_done(version, 0) == 1
    assert store.mark_done(version, 0) == 1
    assert store.mark_done(version, 2) == 2
    assert store.mark_done(version, 1) == 3
