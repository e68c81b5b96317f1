"""Training runs against the database and the store (what the tasks and the
`recommend train` command call).

`train_now` does a whole run in this process. The sharded run is three steps
that Celery workers share: `start_sharded` (prepare, write the popular lists and
the shared state), `run_shard` (one shard's lists; the shard that completes the
set says so) and `publish` (the flip, then the catalog's popularity).
"""

import io
import time

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from cms import readmodel
from cms.models import ProductPage
from recommend import training
from recommend.data import load_catalog, load_interactions
from recommend.store import get_store, version_built_at

POPULARITY_BATCH = 50_000
PRODUCT_TABLE = ProductPage._meta.db_table
PRODUCT_KEY = ProductPage._meta.pk.column


def _save_popularity(ids: np.ndarray, scores: np.ndarray) -> None:
    """Keep ProductPage.popularity (sorting, carousels, the store fallback) fresh.

    On PostgreSQL one UPDATE from two arrays per POPULARITY_BATCH products (a
    million products in seconds, no model instances); elsewhere (SQLite, the
    embedded default) `bulk_update`."""
    scores = np.round(scores.astype(np.float64), 6)
    with transaction.atomic():
        for start in range(0, len(ids), POPULARITY_BATCH):
            batch_ids = ids[start : start + POPULARITY_BATCH].tolist()
            batch_scores = scores[start : start + POPULARITY_BATCH].tolist()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {PRODUCT_TABLE} SET popularity = new.popularity "
                        "FROM unnest(%s::integer[], %s::double precision[]) "
                        f"AS new(id, popularity) WHERE {PRODUCT_KEY} = new.id "
                        # Unchanged rows are not rewritten.
                        f"AND {PRODUCT_TABLE}.popularity "
                        "IS DISTINCT FROM new.popularity",
                        [batch_ids, batch_scores],
                    )
            else:
                ProductPage.objects.bulk_update(
                    [
                        ProductPage(pk=pk, popularity=score)
                        for pk, score in zip(batch_ids, batch_scores, strict=True)
                    ],
                    ["popularity"],
                )
        # Called once a version is live: lists sorted by popularity and cached
        # recommendations (built from the served version) are renewed.
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
    catalog, interactions = _read(progress)
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


def _read(progress: training.Progress):
    started = time.perf_counter()
    catalog = load_catalog()
    interactions = load_interactions(catalog)
    progress(
        f"read {len(catalog.items)} products and {len(interactions)} interactions "
        f"in {time.perf_counter() - started:.2f} s"
    )
    return catalog, interactions


def start_sharded(progress: training.Progress = training._quiet) -> str:
    """Step 1 of a sharded run: the new version's id (not yet published)."""
    config = settings.RECOMMEND
    store = get_store()
    catalog, interactions = _read(progress)
    version = store.begin()
    prepared, raw_popularity = training.prepare(
        catalog.items, interactions, config, now=time.time(), progress=progress
    )
    del catalog.items[:]  # the features hold what the shards need
    started = time.perf_counter()
    store.write(
        version,
        {
            **training.popular_fields(
                prepared.ids, raw_popularity, catalog.category_ids, config["POPULAR_K"]
            ),
            **training.model_fields(prepared),
        },
    )
    blob = prepared.dumps()
    store.put_blob(version, "prepared", blob)
    # Saved by `publish`, once the version is served (as `train_now` does).
    buffer = io.BytesIO()
    np.savez(buffer, ids=prepared.ids, scores=raw_popularity)
    store.put_blob(version, "popularity", buffer.getvalue())
    progress(
        f"popular lists and shared state saved in {time.perf_counter() - started:.2f} s"
    )
    return version


def run_shard(
    version: str, shard: int, shards: int, progress: training.Progress = training._quiet
) -> bool:
    """Step 2: one shard's lists. True when every shard has finished (this one
    last). Running a shard again rewrites the same fields and counts once."""
    store = get_store()
    started = time.perf_counter()
    prepared = training.Prepared.loads(store.get_blob(version, "prepared"))
    loaded = time.perf_counter()
    written = 0
    for fields in training.shard_fields(prepared, shard, shards, settings.RECOMMEND):
        store.write(version, fields)
        written += len(fields)
    progress(
        f"shard {shard + 1}/{shards}: shared state read in {loaded - started:.2f} s, "
        f"{written} fields written in {time.perf_counter() - loaded:.2f} s"
    )
    return store.mark_done(version, shard) == shards


def publish(version: str) -> bool:
    """Step 3: switch readers to the version, save its popularity to the
    catalog and drop the shared state; False (and nothing saved) when it was
    published already or a newer version was."""
    store = get_store()
    published = store.publish(version)
    if published:
        arrays = np.load(io.BytesIO(store.get_blob(version, "popularity")))
        _save_popularity(arrays["ids"], arrays["scores"])
    store.delete_blob(version, "prepared")
    store.delete_blob(version, "popularity")
    return published
