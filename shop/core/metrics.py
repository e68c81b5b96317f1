"""Prometheus metrics (prometheus_client), served on their own port, never on
the application's: the ingress routes only the application port.

- Requests: count and latency by method, view (the resolved URL name, never
  the raw path) and status; requests in flight; database queries per request.
- Celery tasks: count by task and final state (SUCCESS, FAILURE, RETRY...)
  and duration by task.
- What the apps add (shop.checkout.metrics, recommend.metrics).

gunicorn and the Celery worker run several processes: with
``PROMETHEUS_MULTIPROC_DIR`` set (the image's entry point sets and empties it)
every process writes its samples there and the one metrics server (in the
gunicorn master, in the worker's main process) adds them up. Process metrics
are those of that serving process.
"""

import logging
import os
import time

from celery import signals
from django.conf import settings
from django.db import connections
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    multiprocess,
    start_http_server,
)

logger = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "shop_http_requests",
    "HTTP requests answered, by method, view (URL name) and status.",
    ["method", "view", "status"],
)
REQUEST_DURATION = Histogram(
    "shop_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, view (URL name) and status.",
    ["method", "view", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
IN_FLIGHT = Gauge(
    "shop_http_requests_in_flight",
    "HTTP requests being answered.",
    multiprocess_mode="livesum",
)
DB_QUERIES = Histogram(
    "shop_http_request_db_queries",
    "Database queries made while answering a request, by view (URL name).",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)
TASKS = Counter(
    "shop_celery_tasks",
    "Celery tasks run, by task name and final state.",
    ["task", "state"],
)
TASK_DURATION = Histogram(
    "shop_celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0),
)

# Collectors read at scrape time by the process serving the metrics; apps add
# theirs in AppConfig.ready() (the gunicorn master loads no Django app).
scrape_collectors: list = []


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def view_label(request) -> str:
    match = request.resolver_match
    return match.view_name if match else "unresolved"


class MetricsMiddleware:
    """Counts and times every request; first in MIDDLEWARE, so that redirects
    and refusals of the middleware below count too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = _QueryCounter()
        started = time.perf_counter()
        with (
            IN_FLIGHT.track_inprogress(),
            connections["default"].execute_wrapper(queries),
        ):
            response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        labels = (method, view_label(request), str(response.status_code))
        REQUESTS.labels(*labels).inc()
        REQUEST_DURATION.labels(*labels).observe(time.perf_counter() - started)
        DB_QUERIES.labels(labels[1]).observe(queries.count)
        return response


# Celery -------------------------------------------------------------------


def task_started(task=None, **kwargs):
    task.request.shop_started = time.perf_counter()


def task_finished(task=None, state=None, **kwargs):
    TASKS.labels(task.name, state or "UNKNOWN").inc()
    started = getattr(task.request, "shop_started", None)
    if started is not None:
        TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)


def worker_ready(**kwargs):
    if settings.METRICS_PORT:
        start_metrics_server(settings.METRICS_PORT)


def worker_process_exited(pid=None, **kwargs):
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


def connect_celery_signals() -> None:
    signals.task_prerun.connect(task_started, weak=False)
    signals.task_postrun.connect(task_finished, weak=False)
    signals.worker_ready.connect(worker_ready, weak=False)
    signals.worker_process_shutdown.connect(worker_process_exited, weak=False)


# Serving ------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def scrape_registry() -> CollectorRegistry:
    """What the metrics server answers: every process's samples (multiprocess
    mode) or this process's, plus the apps' scrape-time collectors."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
    else:
        registry.register(REGISTRY)
    for collector in scrape_collectors:
        registry.register(collector)
    return registry


def start_metrics_server(port: int, address: str = "0.0.0.0"):
    """Serves /metrics on ``port`` from a thread of this process; the server."""
    server, _thread = start_http_server(port, address, registry=scrape_registry())
    logger.info("Metrics served on port %s", port, extra={"port": port})
    return server
