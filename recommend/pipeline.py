"""Training runs against the database and the store (what the tasks and the
`recommend train` command call).

`train_now` does a whole run in this process. The sharded run is three steps
that Celery workers share: `start_sharded` (prepare, write the popular lists and
the shared state), `run_shard` (one shard's similar lists; the last shard to
finish says so) and `publish`.
"""

import time

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from cms import readmodel
from cms.models import ProductPage
from recommend import training
from recommend.data import load_catalog, load_interactions
from recommend.store import get_store, version_built_at

POPULARITY_BATCH = 1000


def _save_popularity(ids: np.ndarray, scores: np.ndarray) -> None:
    """Keep ProductPage.popularity (sorting, carousels, the store fallback) fresh."""
    pages = [
        ProductPage(pk=int(pk), popularity=round(float(score), 6))
        for pk, score in zip(ids, scores, strict=True)
    ]
    with transaction.atomic():
        ProductPage.objects.bulk_update(
            pages, ["popularity"], batch_size=POPULARITY_BATCH
        )
        readmodel.catalog_changed()


def needs_training() -> bool:
    """No model is published, or a product was published (variants are part of
    their page) after the published model's run began."""
    version = get_store().current()
    if version is None:
        return True
    latest = ProductPage.objects.aggregate(latest=Max("last_published_at"))["latest"]
    return latest is not None and latest.timestamp() > version_built_at(version)


def train_now(progress: training.Progress = training._quiet) -> str:
    """Train on the current catalog and interactions and publish; the version."""
    config = settings.RECOMMEND
    started = time.perf_counter()
    catalog = load_catalog()
    interactions = load_interactions(catalog)
    progress(
        f"read {len(catalog.items)} products and {len(interactions)} interactions "
        f"in {time.perf_counter() - started:.2f} s"
    )
    version, raw_popularity = training.train(
        catalog.items,
        catalog.category_ids,
        interactions,
        get_store(),
        config,
        now=time.time(),
        progress=progress,
    )
    _save_popularity(catalog.ids, raw_popularity)
    return version


def start_sharded() -> str:
    """Step 1 of a sharded run: the new version's id (not yet published)."""
    config = settings.RECOMMEND
    store = get_store()
    catalog = load_catalog()
    interactions = load_interactions(catalog)
    version = store.begin()
    prepared, raw_popularity = training.prepare(
        catalog.items, interactions, config, now=time.time()
    )
    store.write(
        version,
        training.popular_fields(
            prepared.ids, raw_popularity, catalog.category_ids, config["POPULAR_K"]
        ),
    )
    store.put_blob(version, "prepared", prepared.dumps())
    _save_popularity(catalog.ids, raw_popularity)
    return version


def run_shard(version: str, shard: int, shards: int) -> bool:
    """Step 2: one shard's lists. True when it was the last shard to finish."""
    store = get_store()
    prepared = training.Prepared.loads(store.get_blob(version, "prepared"))
    store.write(
        version, training.shard_fields(prepared, shard, shards, settings.RECOMMEND)
    )
    return store.count_done(version) == shards


def publish(version: str) -> None:
    """Step 3: switch readers to the version and drop the shared state."""
    store = get_store()
    store.publish(version)
    # Cached recommendations answer from the version they were built on.
    readmodel.catalog_changed()
    store.delete_blob(version, "prepared")
