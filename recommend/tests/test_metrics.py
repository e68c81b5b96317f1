"""The recommender's metrics: the served version and its age, read from the
store at scrape time; how long training runs take."""

import pytest
from prometheus_client import REGISTRY

from recommend import tasks
from recommend.metrics import ModelCollector
from recommend.store import version_built_at


def scrape() -> dict:
    return {
        (sample.name, tuple(sample.labels.items())): sample.value
        for family in ModelCollector().collect()
        for sample in family.samples
    }


def trainings() -> float:
    return REGISTRY.get_sample_value("shop_recommend_training_duration_seconds_count")


@pytest.mark.django_db
def test_nothing_is_reported_before_a_version_is_published():
    assert scrape() == {}


def test_the_served_version_and_its_age_are_reported(catalog, monkeypatch):
    before = trainings()
    version = tasks.train()
    monkeypatch.setattr("time.time", lambda: version_built_at(version) + 90.0)

    assert scrape() == {
        ("shop_recommend_model", (("version", version),)): 1.0,
        ("shop_recommend_model_age_seconds", ()): 90.0,
    }
    assert trainings() - before == 1


def test_a_sharded_run_is_timed_when_its_last_shard_publishes(catalog, settings):
    settings.RECOMMEND = {**settings.RECOMMEND, "SHARDS": 2}
    before = trainings()

    tasks.train()

    assert trainings() - before == 1


@pytest.mark.django_db
def test_an_unreachable_store_reports_nothing(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    assert scrape() == {}
