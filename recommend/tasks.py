"""Celery tasks: scheduled training, sharded training, debounced retraining.

Every run writes a new version and publishes it at the end, so a task may be
retried or run twice: the last published version wins and nothing half-written
is ever served. A worker dying mid-run leaves the previous version in service.

Sharded runs (RECOMMEND["SHARDS"] > 1) fan out one `train_shard` per shard; the
shard that finishes last (an atomic counter in the store) queues `publish`. No
Celery chord: that would need a result backend this project does not run.
"""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from recommend import pipeline
from recommend.metrics import training_finished

logger = logging.getLogger(__name__)

RETRAIN_PENDING_KEY = "recommend:retrain-pending"


@shared_task(name="recommend.tasks.train")
def train() -> str:
    """Retrain (beat runs this every RECOMMEND_TRAIN_EVERY_SECONDS)."""
    shards = settings.RECOMMEND["SHARDS"]
    if shards <= 1:
        version = pipeline.train_now(progress=logger.info)
        training_finished(version)
        return version
    version = pipeline.start_sharded()
    for shard in range(shards):
        train_shard.delay(version, shard, shards)
    return version


@shared_task(name="recommend.tasks.train_shard")
def train_shard(version: str, shard: int, shards: int) -> None:
    if pipeline.run_shard(version, shard, shards):
        publish.delay(version)


@shared_task(name="recommend.tasks.publish")
def publish(version: str) -> None:
    pipeline.publish(version)
    training_finished(version)
    logger.info("Recommendations version %s published", version)


@shared_task(name="recommend.tasks.retrain_after_change")
def retrain_after_change() -> str:
    cache.delete(RETRAIN_PENDING_KEY)
    return train()


def schedule_retrain() -> bool:
    """Ask for a retrain after a catalog change; True if this call queued it.

    Changes within RETRAIN_DEBOUNCE_SECONDS share one run: the first queues it
    with that countdown, the others find it pending. Call it from the code that
    changes the catalog (e.g. a product_updated plugin hook). Without Redis
    there is no worker (tasks run eagerly, the embedded default): it runs in a
    thread of this process.
    """
    delay = settings.RECOMMEND["RETRAIN_DEBOUNCE_SECONDS"]
    if not settings.REDIS_URL:
        return _retrain_in_process(delay)
    # The marker outlives the countdown a little, in case the worker is late.
    if not cache.add(RETRAIN_PENDING_KEY, True, timeout=delay * 2 + 60):
        return False
    retrain_after_change.apply_async(countdown=delay)
    return True


_in_process_lock = threading.Lock()
_in_process_timer: threading.Timer | None = None


def _retrain_in_process(delay: float) -> bool:
    """Eager Celery ignores a countdown and would train inside the request that
    changed the catalog; a timer thread trains once after the debounce instead,
    without holding the request."""
    global _in_process_timer
    with _in_process_lock:
        if _in_process_timer is not None and _in_process_timer.is_alive():
            return False
        _in_process_timer = threading.Timer(delay, _train_in_thread)
        _in_process_timer.daemon = True
        _in_process_timer.start()
    return True


def _train_in_thread() -> None:
    global _in_process_timer
    # From here on this run may miss a change: the next one schedules anew.
    with _in_process_lock:
        _in_process_timer = None
    try:
        version = pipeline.train_now(progress=logger.info)
        logger.info("Recommendations version %s published", version)
    except Exception:
        logger.exception("Retraining after a catalog change failed")
    finally:
        # The thread's own database connections.
        connections.close_all()
