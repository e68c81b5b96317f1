"""Recommender metrics (see shop.core.metrics): the served model's version and
age, read from the store when scraped, and how long training runs take."""

import time

import redis
from django.db import DatabaseError
from prometheus_client import Histogram
from prometheus_client.core import GaugeMetricFamily

from recommend.store import get_store, version_built_at

TRAINING_DURATION = Histogram(
    "shop_recommend_training_duration_seconds",
    "From the start of a training run to the publication of its version.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
)


def training_finished(version: str) -> None:
    TRAINING_DURATION.observe(time.time() - version_built_at(version))


class ModelCollector:
    """``shop_recommend_model_info{version}`` (1 for the served version) and
    ``shop_recommend_model_age_seconds``; nothing while no version is published
    or the store cannot be read."""

    def collect(self):
        info = GaugeMetricFamily(
            "shop_recommend_model",
            "The recommendations version being served.",
            labels=["version"],
        )
        age = GaugeMetricFamily(
            "shop_recommend_model_age_seconds",
            "Seconds since the training run of the served version began.",
        )
        try:
            version = get_store().current()
        except (redis.RedisError, DatabaseError):
            version = None
        if version:
            info.add_metric([version], 1)
            age.add_metric([], time.time() - version_built_at(version))
        yield info
        yield age
