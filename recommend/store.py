"""Versioned storage of trained results, with one atomic switch per version.

A training run writes every list under a fresh version and only then flips the
current-version pointer to it. Readers resolve the pointer and read their fields
in one step, so they see the old version or the new one, never a mix. A run that
dies before publishing leaves the pointer on the previous version; what it wrote
expires on its own.

Two backends with the same interface:

- `RedisStore` (settings.REDIS_URL set): one hash per version,
  ``<prefix>:v:<version>``, and the pointer ``<prefix>:current``. A read is one
  Lua script (one round trip) that resolves the pointer and HMGETs the fields;
  publishing is another script (pointer flip, old version set to expire).
- `CacheStore` (no Redis, `make run`): the Django cache, one key per field.

Values are strings; `encode_scored` / `decode_scored` turn (id, score) lists into
the compact form the store keeps ("12:0.8731,40:0.5120").
"""

import time
import uuid
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import redis
from django.conf import settings
from django.core.cache import cache

from shop.core.redis_breaker import CircuitBreakingRedis

WRITE_BATCH = 1000
# Reads and writes give up quickly: a down Redis must not stall a page.
SOCKET_TIMEOUT = 0.5

READ_SCRIPT = """
local version = redis.call('GET', KEYS[1])
if not version then return false end
return {version, redis.call('HMGET', ARGV[1] .. version, unpack(ARGV, 2))}
"""
PUBLISH_SCRIPT = """
if redis.call('EXISTS', ARGV[1] .. ARGV[2]) == 0 then return 0 end
local previous = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PERSIST', ARGV[1] .. ARGV[2])
if previous and previous ~= ARGV[2] then
  redis.call('EXPIRE', ARGV[1] .. previous, ARGV[3])
end
return 1
"""


class VersionGone(Exception):
    """The version to publish is no longer there (its build outlived its TTL)."""


def encode_scored(pairs: Iterable[tuple[int, float]]) -> str:
    return ",".join(f"{item}:{score:.4f}" for item, score in pairs)


ENCODE_CHUNK = 4096
FILLER = 0  # a byte that no encoded text holds, dropped at the end


def _digits(values: np.ndarray, width: int, pad: bool = False) -> np.ndarray:
    """ASCII digits of non-negative integers, right-aligned in `width` bytes;
    the unused leading bytes are FILLER (or "0" with `pad`)."""
    digits = np.empty((len(values), width), dtype=np.uint8)
    rest = values.copy()
    for column in range(width - 1, -1, -1):
        digits[:, column] = ord("0") + rest % 10
        rest //= 10
    if not pad:
        length = np.ones(len(values), dtype=np.int64)
        for power in range(1, width):
            length += values >= 10**power
        digits[np.arange(width) < (width - length)[:, None]] = FILLER
    return digits


def encode_rows(ids: np.ndarray, scores: np.ndarray) -> list[str]:
    """`encode_scored` for each row of padded (-1) ids and finite float32 scores.

    Training encodes millions of pairs, so the text is laid out by numpy: each
    pair in a fixed-width cell of bytes, its unused bytes FILLER, dropped at the
    end. A float32 score times 10^4 is exact in float64, so rounding it half to
    even gives the very digits of "%.4f". A chunk of rows at a time."""
    ids = np.asarray(ids, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float32)
    if not ids.size:
        return [""] * len(ids)
    id_width = len(str(max(int(ids.max()), 0)))
    top = int(np.rint(np.abs(scores).max().astype(np.float64) * 10_000))
    whole_width = len(str(top // 10_000))
    colon = 1 + id_width
    point = colon + 2 + whole_width
    encoded = []
    for start in range(0, len(ids), ENCODE_CHUNK):
        chunk = slice(start, start + ENCODE_CHUNK)
        chunk_ids, chunk_scores = ids[chunk], scores[chunk]
        valid = chunk_ids >= 0
        scaled = np.rint(np.abs(chunk_scores.astype(np.float64)) * 10_000)
        whole, fraction = np.divmod(scaled.astype(np.int64), 10_000)
        rows, width = chunk_ids.shape
        cells = np.empty((rows, width, point + 5), dtype=np.uint8)
        # A comma before every pair but the row's first.
        later = valid & (np.cumsum(valid, axis=1) > 1)
        cells[..., 0] = np.where(later, ord(","), FILLER)
        cells[..., 1:colon] = _digits(
            np.maximum(chunk_ids, 0).ravel(), id_width
        ).reshape(rows, width, id_width)
        cells[..., colon] = ord(":")
        cells[..., colon + 1] = np.where(np.signbit(chunk_scores), ord("-"), FILLER)
        cells[..., colon + 2 : point] = _digits(whole.ravel(), whole_width).reshape(
            rows, width, whole_width
        )
        cells[..., point] = ord(".")
        cells[..., point + 1 :] = _digits(fraction.ravel(), 4, pad=True).reshape(
            rows, width, 4
        )
        cells[~valid] = FILLER
        cells = cells.reshape(rows, -1)
        kept = cells != FILLER
        text = cells[kept].tobytes().decode("ascii")
        ends = np.cumsum(kept.sum(axis=1)).tolist()
        encoded.extend(
            text[begin:end] for begin, end in zip([0, *ends[:-1]], ends, strict=True)
        )
    return encoded


def decode_scored(value: str | None) -> list[tuple[int, float]]:
    if not value:
        return []
    pairs = []
    for pair in value.split(","):
        item, score = pair.split(":")
        pairs.append((int(item), float(score)))
    return pairs


def new_version() -> str:
    # Sortable by time, unique across concurrent runs.
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"


def _config() -> Mapping:
    return settings.RECOMMEND


class RedisStore:
    def __init__(self, url: str, prefix: str):
        # Once the server fails, lookups stop waiting on it for a while.
        self.client = CircuitBreakingRedis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
            decode_responses=True,
        )
        # Blobs are bytes; everything else is text.
        self.binary = CircuitBreakingRedis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
        )
        self.pointer = f"{prefix}:current"
        self.version_prefix = f"{prefix}:v:"
        self._read = self.client.register_script(READ_SCRIPT)
        self._publish = self.client.register_script(PUBLISH_SCRIPT)

    def begin(self) -> str:
        version = new_version()
        key = self.version_prefix + version
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(key, "_built_from", str(time.time()))
        pipe.expire(key, _config()["BUILD_TTL_SECONDS"])
        pipe.execute()
        return version

    def write(self, version: str, fields: Mapping[str, str]) -> None:
        key = self.version_prefix + version
        items = list(fields.items())
        pipe = self.client.pipeline(transaction=False)
        for start in range(0, len(items), WRITE_BATCH):
            pipe.hset(key, mapping=dict(items[start : start + WRITE_BATCH]))
        pipe.execute()

    def publish(self, version: str) -> None:
        published = self._publish(
            keys=[self.pointer],
            args=[self.version_prefix, version, _config()["OLD_VERSION_TTL_SECONDS"]],
        )
        if not published:
            raise VersionGone(version)

    def current(self) -> str | None:
        return self.client.get(self.pointer)

    def _side_key(self, version: str, name: str) -> str:
        return f"{self.version_prefix}{version}:{name}"

    def put_blob(self, version: str, name: str, blob: bytes) -> None:
        """Data shared by the tasks of one run (expires with an unpublished build)."""
        self.binary.set(
            self._side_key(version, name), blob, ex=_config()["BUILD_TTL_SECONDS"]
        )

    def get_blob(self, version: str, name: str) -> bytes:
        blob = self.binary.get(self._side_key(version, name))
        if blob is None:
            raise VersionGone(version)
        return blob

    def delete_blob(self, version: str, name: str) -> None:
        self.binary.delete(self._side_key(version, name))

    def count_done(self, version: str) -> int:
        """Counts a finished shard of the run; the count so far (atomic)."""
        key = self._side_key(version, "done")
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.expire(key, _config()["BUILD_TTL_SECONDS"])
        return int(pipe.execute()[0])

    def read(self, fields: Sequence[str]) -> tuple[str | None, list[str | None]]:
        """The current version and the values of `fields` in it (one round trip)."""
        answer = self._read(keys=[self.pointer], args=[self.version_prefix, *fields])
        if not answer:
            return None, [None] * len(fields)
        version, values = answer
        return version, values


class CacheStore:
    def __init__(self, prefix: str):
        self.pointer = f"{prefix}:current"
        self.version_prefix = f"{prefix}:v:"

    def _key(self, version: str, field: str) -> str:
        return f"{self.version_prefix}{version}:{field}"

    def begin(self) -> str:
        return new_version()

    def write(self, version: str, fields: Mapping[str, str]) -> None:
        cache.set_many(
            {self._key(version, name): value for name, value in fields.items()},
            timeout=_config()["CACHE_VERSION_TTL_SECONDS"],
        )

    def publish(self, version: str) -> None:
        cache.set(self.pointer, version, timeout=None)

    def current(self) -> str | None:
        return cache.get(self.pointer)

    def put_blob(self, version: str, name: str, blob: bytes) -> None:
        cache.set(self._key(version, name), blob, _config()["BUILD_TTL_SECONDS"])

    def get_blob(self, version: str, name: str) -> bytes:
        blob = cache.get(self._key(version, name))
        if blob is None:
            raise VersionGone(version)
        return blob

    def delete_blob(self, version: str, name: str) -> None:
        cache.delete(self._key(version, name))

    def count_done(self, version: str) -> int:
        # Without Redis, tasks run eagerly one after another: no race to guard.
        key = self._key(version, "done")
        cache.add(key, 0, _config()["BUILD_TTL_SECONDS"])
        return cache.incr(key)

    def read(self, fields: Sequence[str]) -> tuple[str | None, list[str | None]]:
        # Versions are never overwritten, so a pointer read followed by the
        # field reads still sees one whole version.
        version = self.current()
        if version is None:
            return None, [None] * len(fields)
        keys = [self._key(version, name) for name in fields]
        values = cache.get_many(keys)
        return version, [values.get(key) for key in keys]


_redis_stores: dict[tuple[str, str], RedisStore] = {}


def get_store() -> RedisStore | CacheStore:
    """The store the settings ask for (Redis when REDIS_URL is set)."""
    prefix = _config()["KEY_PREFIX"]
    if not settings.REDIS_URL:
        return CacheStore(prefix)
    key = (settings.REDIS_URL, prefix)
    if key not in _redis_stores:
        _redis_stores[key] = RedisStore(*key)
    return _redis_stores[key]


# What a store raises when its backend is unreachable.
STORE_ERRORS = (redis.RedisError, OSError)
