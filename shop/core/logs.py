"""Request ids in every log line: from the request to the Celery tasks it queues.

A request takes its id from the ``X-Request-ID`` header of the trusted proxy in
front (settings.TRUSTED_PROXY_COUNT > 0; a short id of safe characters only) or
gets a new one; the response echoes it. While the request runs, and while a
task it queued runs in a worker (the id travels in the task's message headers),
the id sits in a context variable that ``RequestIdFilter`` copies onto every
log record. The production settings format records as JSON lines
(python-json-logger) on stdout with the id as ``request_id``; gunicorn's
access lines carry it from the response header (shop.core.gunicorn).
"""

import re
import uuid
from contextvars import ContextVar

from celery import signals
from django.conf import settings
from django.core.signals import request_finished

HEADER = "X-Request-ID"
# The Celery message header carrying the id to the worker.
TASK_HEADER = "request_id"
_VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def incoming_request_id(request) -> str:
    """The proxy's id when a trusted proxy sent a valid one, else a new one."""
    given = request.headers.get(HEADER, "")
    if settings.TRUSTED_PROXY_COUNT and _VALID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for everything the request logs and queues, and
    answers it in ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        current = incoming_request_id(request)
        # Kept until the response is closed (forget_request_id): Django logs
        # the 4xx and 5xx answers after the middleware has returned.
        request_id.set(current)
        response = self.get_response(request)
        response[HEADER] = current
        return response


def forget_request_id(**kwargs):
    request_id.set(None)


class RequestIdFilter:
    """Puts the current request id (or None) on each record as ``request_id``."""

    def filter(self, record) -> bool:
        record.request_id = request_id.get()
        return True


def send_request_id(headers=None, **kwargs):
    current = request_id.get()
    if current and headers is not None:
        headers.setdefault(TASK_HEADER, current)


def take_request_id(task=None, **kwargs):
    # The id from the message; a task run eagerly inside the request keeps the
    # request's; one queued outside any request (beat) runs without.
    given = getattr(task.request, TASK_HEADER, None) or request_id.get()
    task.request.shop_request_id_token = request_id.set(given)


def drop_request_id(task=None, **kwargs):
    token = getattr(task.request, "shop_request_id_token", None)
    if token is not None:
        request_id.reset(token)


def connect_signals() -> None:
    request_finished.connect(forget_request_id, dispatch_uid="shop.core.logs")
    signals.before_task_publish.connect(send_request_id, weak=False)
    signals.task_prerun.connect(take_request_id, weak=False)
    signals.task_postrun.connect(drop_request_id, weak=False)
