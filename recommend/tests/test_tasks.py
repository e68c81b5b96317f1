import numpy as np
import pytest
from django.core.cache import cache
from django.utils import timezone

from cms.models import ProductPage
from recommend import pipeline, services, tasks, training
from recommend.data import load_catalog, load_interactions
from recommend.models import Interaction
from recommend.store import VersionGone, get_store


def test_train_task_publishes_a_new_version_each_run(catalog):
    first = tasks.train()
    second = tasks.train()

    assert get_store().current() == second != first
    assert services.popular_ids().version == second


def test_sharded_training_publishes_once_every_shard_is_written(catalog, settings):
    # given the lists of a one-process run
    single = pipeline.train_now()
    boot = catalog["products"]["men-boot-1"].pk
    expected = services.similar_ids(boot).items

    # when the sharded run's shards are done but the last one
    version = pipeline.start_sharded()
    assert pipeline.run_shard(version, 0, 3) is False
    assert pipeline.run_shard(version, 1, 3) is False

    # then readers still see the previous version
    assert get_store().current() == single

    # when the last shard finishes, it is the one that says so
    assert pipeline.run_shard(version, 2, 3) is True
    pipeline.publish(version)

    # then the new version is served, with the same lists as one process makes
    assert get_store().current() == version
    assert services.similar_ids(boot).items == expected
    with pytest.raises(VersionGone):
        get_store().get_blob(version, "prepared")


def test_the_sharded_task_fans_out_and_publishes(catalog, settings):
    settings.RECOMMEND = {**settings.RECOMMEND, "SHARDS": 2}

    # tasks run eagerly in tests: shards, then the publish the last one queues
    version = tasks.train()

    assert get_store().current() == version
    assert services.similar_ids(catalog["products"]["men-boot-1"].pk).items


def test_catalog_changes_share_one_debounced_retrain(catalog, settings, monkeypatch):
    queued = []
    monkeypatch.setattr(
        tasks.retrain_after_change,
        "apply_async",
        lambda countdown: queued.append(countdown),
    )

    assert tasks.schedule_retrain() is True
    assert tasks.schedule_retrain() is False
    assert queued == [settings.RECOMMEND["RETRAIN_DEBOUNCE_SECONDS"]]

    # when the retrain runs, the next change queues another
    tasks.retrain_after_change.run()
    assert cache.get(tasks.RETRAIN_PENDING_KEY) is None
    assert tasks.schedule_retrain() is True
    assert len(queued) == 2


def test_beat_retrains_every_fifteen_minutes_by_default(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["recommend-train"]

    assert entry == {"task": "recommend.tasks.train", "schedule": 900.0}


def test_training_an_empty_catalog_publishes_empty_lists(db):
    version = tasks.train()

    ranked = services.popular_ids()
    assert ranked.version == version
    assert ranked.items == []
    assert ranked.fallback is False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_redis_a_change_retrains_in_a_thread_once(catalog, settings):
    # given the embedded default: no Redis, no worker
    settings.REDIS_URL = ""
    settings.RECOMMEND = {**settings.RECOMMEND, "RETRAIN_DEBOUNCE_SECONDS": 1}
    assert get_store().current() is None
    # when two catalog changes come in together
    assert tasks.schedule_retrain() is True
    timer = tasks._in_process_timer
    assert tasks.schedule_retrain() is False
    # then one run trains in the background and publishes
    timer.join(timeout=60)
    first = get_store().current()
    assert first is not None
    assert not services.popular_ids().fallback
    # and the next change schedules another
    assert tasks.schedule_retrain() is True
    timer = tasks._in_process_timer
    timer.join(timeout=60)
    assert get_store().current() != first


def test_needs_training_until_trained_and_again_after_a_publish(catalog, settings):
    settings.REDIS_URL = ""
    assert pipeline.needs_training() is True
    pipeline.train_now()
    assert pipeline.needs_training() is False
    # a product published after the run began
    catalog["products"]["men-boot-1"].save_revision().publish()
    assert pipeline.needs_training() is True


def test_a_redelivered_shard_does_not_publish_a_half_written_version(catalog):
    # given a viewed product, a published model, popularity not yet saved
    boot = catalog["products"]["men-boot-1"]
    Interaction.objects.create(
        session_id="s-1", product=boot, kind="view", created_at=timezone.now()
    )
    first = pipeline.train_now()
    ProductPage.objects.update(popularity=0.0)
    # and a sharded run whose first shard ran twice (a worker died after
    # writing, before acknowledging: Celery delivers the task again)
    version = pipeline.start_sharded()
    assert pipeline.run_shard(version, 0, 2) is False
    assert pipeline.run_shard(version, 0, 2) is False

    # then the run is not complete and nothing is published
    assert get_store().current() == first

    # when the other shard finishes, the run is complete
    assert pipeline.run_shard(version, 1, 2) is True
    assert ProductPage.objects.get(pk=boot.pk).popularity == 0.0
    assert pipeline.publish(version) is True
    assert get_store().current() == version
    # and publishing saves the run's popularity to the catalog, once
    assert ProductPage.objects.get(pk=boot.pk).popularity == pytest.approx(1.0)
    assert pipeline.publish(version) is False


def test_a_sharded_run_records_the_model_like_one_process(catalog):
    single = pipeline.train_now()
    model = get_store().read(["model"])[1][0]

    version = pipeline.start_sharded()
    for shard in range(2):
        pipeline.run_shard(version, shard, 2)
    pipeline.publish(version)

    assert single != version
    assert get_store().read(["model"]) == (version, [model])


def test_the_shared_state_reads_back_as_it_was_written(catalog, settings):
    # given a run's shared state, with co-occurrence and next lists
    for session, slugs in enumerate([["men-boot-1", "men-boot-2", "men-top-1"]] * 3):
        for minute, slug in enumerate(slugs):
            Interaction.objects.create(
                session_id=f"s-{session}",
                product=catalog["products"][slug],
                kind="view",
                created_at=f"2026-01-01T00:{minute:02d}Z",
            )
    products = load_catalog()
    prepared, _ = training.prepare(
        products.items, load_interactions(products), settings.RECOMMEND, now=0.0
    )
    assert (prepared.co_neighbours >= 0).any() and (prepared.next_neighbours >= 0).any()

    # when it goes through bytes (neighbour lists packed to their entries)
    loaded = training.Prepared.loads(prepared.dumps())

    # then every array comes back equal
    for name in (
        "ids",
        "labels",
        "popular",
        "co_neighbours",
        "co_scores",
        "next_neighbours",
        "next_scores",
    ):
        assert np.array_equal(getattr(loaded, name), getattr(prepared, name))
    assert (loaded.features != prepared.features).nnz == 0
    assert loaded.tuned == prepared.tuned
