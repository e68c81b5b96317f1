"""Whole JSON answers of catalog reads, cached by URL and catalog generation.

A view that mixes in `CachedReadMixin` names, per request, the generations its
answer depends on (`cms.readmodel`); its 200 answers are kept in the cache under
those generations' tokens, so any catalog change the answer shows makes a new
key at once (see readmodel: never stale through expiry). A hit skips DRF and
the database altogether: one cache round trip for the tokens, one for the body.

Every answer carries an ETag (a hash of the body) and ``Cache-Control:
no-cache``: clients and shared caches keep it but revalidate each time, and an
``If-None-Match`` that still matches gets a 304 without a body. Each process
also keeps the answers it served last in memory (`LOCAL_ANSWERS`), under the
same keys: a hit there costs one cache round trip, for the tokens.

Only GET requests without an ``Authorization`` header (a bad token must still
get its 401) asking for JSON (the browsable API is rendered for browsers) are
cached; an answer meant for one shopper says so in its key
(`cached_read_audience`). When the cache is down the view
answers as if there were no cache.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

from cms import readmodel

# Media ranges a client may accept for the cached JSON to be its answer.
JSON_RANGES = {"", "*/*", "application/*", "application/json"}
# Set by the middleware around each answer, not part of what is cached.
UNCACHED_HEADERS = {"set-cookie"}
# Answers each process also keeps in memory, most recently used first. Their
# keys hold the generations' tokens, so a copy is never stale either; it saves
# the second cache round trip and the unpickling of the body.
LOCAL_ANSWERS = 256


class LocalAnswers:
    """A small LRU of cached answers, safe across threads; entries expire with
    the shared cache's (readmodel.ENTRY_TIMEOUT)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[str, tuple[float, tuple]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: str, entry: tuple) -> None:
        deadline = time.monotonic() + readmodel.ENTRY_TIMEOUT
        with self._lock:
            self._entries[key] = (deadline, entry)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


local_answers = LocalAnswers(LOCAL_ANSWERS)


def wants_shared_json(request) -> bool:
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    if "format" in request.GET:
        return False
    accept = request.META.get("HTTP_ACCEPT", "")
    ranges = {part.split(";", 1)[0].strip() for part in accept.split(",")}
    return ranges <= JSON_RANGES


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


class CachedReadMixin:
    """For DRF views whose GET answer depends only on the URL and the catalog."""

    # Shared caches may keep the answer, revalidating it on every use.
    cache_control = "no-cache"

    def cached_read_generations(self, request, **kwargs) -> Iterable[str] | None:
        """The generations this request's answer depends on; None: do not cache."""
        raise NotImplementedError

    def cached_read_audience(self, request) -> str:
        """Whom the answer is for, when not everyone (e.g. one shopper)."""
        return ""

    def cacheable_answer(self, response) -> bool:
        """Whether this 200 answer may be kept (e.g. not a degraded one)."""
        return True

    def cached_read_key(self, request, **kwargs) -> str | None:
        if not wants_shared_json(request):
            return None
        names = self.cached_read_generations(request, **kwargs)
        if names is None:
            return None
        url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        audience = self.cached_read_audience(request)
        digest = hashlib.blake2b(
            f"{audience} {url}".encode(), digest_size=16
        ).hexdigest()
        return readmodel.cache_key("api", names, digest)

    def dispatch(self, request, *args, **kwargs):
        key = self.cached_read_key(request, **kwargs)
        if key is not None:
            hit = local_answers.get(key)
            if hit is None:
                hit = cache.get(key)
                if hit is not None:
                    local_answers.put(key, hit)
            if hit is not None:
                body, headers, etag = hit
                response = HttpResponse(body, headers=headers)
                return self._with_validators(request, response, etag)
        response = super().dispatch(request, *args, **kwargs)
        if (
            key is None
            or response.status_code != 200
            or not self.cacheable_answer(response)
        ):
            return response
        response.render()
        etag = etag_of(response.content)
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in UNCACHED_HEADERS
        }
        entry = (response.content, headers, etag)
        cache.set(key, entry, readmodel.ENTRY_TIMEOUT)
        local_answers.put(key, entry)
        return self._with_validators(request, response, etag)

    def _with_validators(self, request, response, etag: str) -> HttpResponse:
        response["ETag"] = etag
        response["Cache-Control"] = self.cache_control
        return get_conditional_response(request, etag=etag, response=response)
