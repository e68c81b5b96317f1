"""Liveness and readiness probes for load balancers and Kubernetes."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.urls import resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return f"database unreachable: {exc.__class__.__name__}"
    return None


def _check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except redis.RedisError as exc:
        return f"redis unreachable: {exc.__class__.__name__}"
    return None


@never_cache
@require_GET
def readyz(request):
    """503 only when the database is unreachable. A Redis outage leaves the pod
    ready but degraded: the cache falls back to the database and every pod
    shares the same Redis, so taking them all out of service would turn a slower
    shop into no shop."""
    database_failure = _check_database()
    if database_failure:
        return JsonResponse(
            {"status": "unavailable", "failures": {"database": database_failure}},
            status=503,
        )
    configured = ["database"] + (["redis"] if settings.REDIS_URL else [])
    redis_failure = _check_redis()
    if redis_failure:
        return JsonResponse(
            {
                "status": "degraded",
                "checked": configured,
                "failures": {"redis": redis_failure},
            }
        )
    return JsonResponse({"status": "ok", "checked": configured})


PROBE_PATHS = frozenset({"/healthz", "/readyz"})


class ProbesMiddleware:
    """Answers the probes before any middleware reads the Host header or
    redirects to https: the kubelet probes the pod's own address over plain
    http, which ALLOWED_HOSTS does not list (Django would answer 400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in PROBE_PATHS:
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
