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
- `DatabaseStore` (no Redis, `make run`): rows of its own table, one per
  field, never in a cache whose entry limit would evict the published model.

Values are strings; `encode_scored` / `decode_scored` turn (id, score) lists into
the compact form the store keeps ("12:0.8731,40:0.5120").
"""

import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

import numpy as np
import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from recommend.models import StoredValue
from shop.core.redis_breaker import CircuitBreakingRedis

WRITE_BATCH = 1000
# Reads give up quickly: a down Redis must not stall a page.
SOCKET_TIMEOUT = 0.5
# Training waits: its pipelines and blobs are tens of MiB, which a busy server
# takes seconds to swallow (measured: a 64 MiB part over 0.5 s under load).
TRAINING_SOCKET_TIMEOUT = 120

READ_SCRIPT = """
local version = redis.call('GET', KEYS[1])
if not version then return false end
return {version, redis.call('HMGET', ARGV[1] .. version, unpack(ARGV, 2))}
"""
PUBLISH_SCRIPT = """
local previous = redis.call('GET', KEYS[1])
if previous and previous >= ARGV[2] then return 2 end
if redis.call('EXISTS', ARGV[1] .. ARGV[2]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PERSIST', ARGV[1] .. ARGV[2])
if previous and previous ~= ARGV[2] then
  redis.call('EXPIRE', ARGV[1] .. previous, ARGV[3])
end
return 1
"""


class VersionGone(Exception):
    """The version to publish is no longer there (its build outlived its TTL)."""


# Blobs go in parts: a Redis string holds at most 512 MiB, and smaller values
# keep the server responsive to other clients while they travel.
BLOB_PART = 64 * 1024 * 1024


def blob_parts(blob: bytes) -> dict[str, bytes]:
    """A blob as store fields: `<n>` (the part count), then `<i>` per part."""
    view = memoryview(blob)
    parts = {
        str(number): bytes(view[start : start + BLOB_PART])
        for number, start in enumerate(range(0, len(blob), BLOB_PART))
    }
    return {"n": str(len(parts)).encode(), **parts}


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


def version_built_at(version: str) -> float:
    """When the run that wrote ``version`` began (seconds since the epoch)."""
    return int(version.split("-", 1)[0]) / 1e9


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
        # Training's own client: patient, and outside the lookups' circuit
        # breaker (a slow bulk write must not make the pages fail fast).
        self.writer = redis.Redis.from_url(
            url,
            socket_timeout=TRAINING_SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
        )
        self.pointer = f"{prefix}:current"
        self.version_prefix = f"{prefix}:v:"
        self._read = self.client.register_script(READ_SCRIPT)
        self._publish = self.writer.register_script(PUBLISH_SCRIPT)

    def begin(self) -> str:
        version = new_version()
        key = self.version_prefix + version
        pipe = self.writer.pipeline(transaction=False)
        pipe.hset(key, "_built_from", str(time.time()))
        pipe.expire(key, _config()["BUILD_TTL_SECONDS"])
        pipe.execute()
        return version

    def write(self, version: str, fields: Mapping[str, str]) -> None:
        key = self.version_prefix + version
        items = list(fields.items())
        pipe = self.writer.pipeline(transaction=False)
        for start in range(0, len(items), WRITE_BATCH):
            pipe.hset(key, mapping=dict(items[start : start + WRITE_BATCH]))
        pipe.execute()

    def publish(self, version: str) -> bool:
        """Make `version` current; False when it is current already or a newer
        one is (a repeated or late publish never brings an older version back)."""
        published = self._publish(
            keys=[self.pointer],
            args=[self.version_prefix, version, _config()["OLD_VERSION_TTL_SECONDS"]],
        )
        if not published:
            raise VersionGone(version)
        return published == 1

    def current(self) -> str | None:
        return self.client.get(self.pointer)

    def _side_key(self, version: str, name: str) -> str:
        return f"{self.version_prefix}{version}:{name}"

    def put_blob(self, version: str, name: str, blob: bytes) -> None:
        """Data shared by the tasks of one run (expires with an unpublished build)."""
        ttl = _config()["BUILD_TTL_SECONDS"]
        parts = blob_parts(blob)
        count = parts.pop("n")
        for part, value in parts.items():
            self.writer.set(self._side_key(version, f"{name}:{part}"), value, ex=ttl)
        # The count last: a blob is there once every part is.
        self.writer.set(self._side_key(version, name), count, ex=ttl)

    def get_blob(self, version: str, name: str) -> bytes:
        count = self.writer.get(self._side_key(version, name))
        parts = [
            self.writer.get(self._side_key(version, f"{name}:{part}"))
            for part in range(int(count or 0))
        ]
        if count is None or None in parts:
            raise VersionGone(version)
        return b"".join(parts)

    def delete_blob(self, version: str, name: str) -> None:
        count = self.writer.get(self._side_key(version, name))
        self.writer.delete(
            self._side_key(version, name),
            *(
                self._side_key(version, f"{name}:{part}")
                for part in range(int(count or 0))
            ),
        )

    def mark_done(self, version: str, shard: int) -> int:
        """Records that a shard of the run finished; how many distinct shards
        have (atomic, and a shard that runs twice counts once)."""
        key = self._side_key(version, "done")
        pipe = self.writer.pipeline()
        pipe.sadd(key, shard)
        pipe.expire(key, _config()["BUILD_TTL_SECONDS"])
        pipe.scard(key)
        return int(pipe.execute()[2])

    def read(self, fields: Sequence[str]) -> tuple[str | None, list[str | None]]:
        """The current version and the values of `fields` in it (one round trip)."""
        answer = self._read(keys=[self.pointer], args=[self.version_prefix, *fields])
        if not answer:
            return None, [None] * len(fields)
        version, values = answer
        return version, values


class DatabaseStore:
    """The store on the database's own table (StoredValue), never on a cache
    that evicts. Publishing also deletes the expired rows."""

    POINTER = "current"

    def __init__(self, prefix: str):
        self.prefix = prefix

    def _rows(self, version: str):
        return StoredValue.objects.filter(prefix=self.prefix, version=version)

    def _put(self, version: str, fields: Mapping[str, bytes], ttl: int | None):
        expires_at = None if ttl is None else timezone.now() + timedelta(seconds=ttl)
        StoredValue.objects.bulk_create(
            [
                StoredValue(
                    prefix=self.prefix,
                    version=version,
                    field=name,
                    value=value,
                    expires_at=expires_at,
                )
                for name, value in fields.items()
            ],
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["prefix", "version", "field"],
            update_fields=["value", "expires_at"],
        )

    def begin(self) -> str:
        version = new_version()
        self.write(version, {"_built_from": str(time.time())})
        return version

    def write(self, version: str, fields: Mapping[str, str]) -> None:
        # Unpublished until publish(): expires like an abandoned build.
        self._put(
            version,
            {name: value.encode() for name, value in fields.items()},
            _config()["BUILD_TTL_SECONDS"],
        )

    def publish(self, version: str) -> bool:
        now = timezone.now()
        with transaction.atomic():
            previous = (
                self._rows("")
                .filter(field=self.POINTER)
                .select_for_update()
                .values_list("value", flat=True)
            )
            previous = bytes(previous[0]).decode() if previous else None
            if previous and previous >= version:
                return False
            if (
                not self._rows(version)
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
                .exists()
            ):
                raise VersionGone(version)
            self._rows(version).update(expires_at=None)
            self._put("", {self.POINTER: version.encode()}, None)
            if previous and previous != version:
                old_ttl = timedelta(seconds=_config()["OLD_VERSION_TTL_SECONDS"])
                self._rows(previous).update(expires_at=now + old_ttl)
            StoredValue.objects.filter(prefix=self.prefix, expires_at__lt=now).delete()
        return True

    def current(self) -> str | None:
        value = (
            self._rows("").filter(field=self.POINTER).values_list("value", flat=True)
        )
        return bytes(value[0]).decode() if value else None

    def put_blob(self, version: str, name: str, blob: bytes) -> None:
        parts = blob_parts(blob)
        self._put(
            f"{version}:side",
            {f"{name}:{part}": value for part, value in parts.items()},
            _config()["BUILD_TTL_SECONDS"],
        )

    def get_blob(self, version: str, name: str) -> bytes:
        values = dict(
            self._rows(f"{version}:side")
            .filter(field__startswith=f"{name}:", expires_at__gt=timezone.now())
            .values_list("field", "value")
        )
        count = values.get(f"{name}:n")
        parts = [
            values.get(f"{name}:{part}") for part in range(int(bytes(count or b"0")))
        ]
        if count is None or None in parts:
            raise VersionGone(version)
        return b"".join(bytes(part) for part in parts)

    def delete_blob(self, version: str, name: str) -> None:
        self._rows(f"{version}:side").filter(field__startswith=f"{name}:").delete()

    def mark_done(self, version: str, shard: int) -> int:
        """Records that a shard of the run finished; how many distinct shards
        have. Each shard writes its own row and then counts (committed first:
        of two shards finishing together, the later count sees both)."""
        self._put(
            f"{version}:side", {f"done:{shard}": b"1"}, _config()["BUILD_TTL_SECONDS"]
        )
        return self._rows(f"{version}:side").filter(field__startswith="done:").count()

    def read(self, fields: Sequence[str]) -> tuple[str | None, list[str | None]]:
        # Versions are never overwritten, so a pointer read followed by the
        # field reads still sees one whole version.
        version = self.current()
        if version is None:
            return None, [None] * len(fields)
        values = dict(
            self._rows(version)
            .filter(field__in=list(fields))
            .values_list("field", "value")
        )
        return version, [
            bytes(values[name]).decode() if name in values else None for name in fields
        ]


_redis_stores: dict[tuple[str, str], RedisStore] = {}


def get_store() -> RedisStore | DatabaseStore:
    """The store the settings ask for (Redis when REDIS_URL is set)."""
    prefix = _config()["KEY_PREFIX"]
    if not settings.REDIS_URL:
        return DatabaseStore(prefix)
    key = (settings.REDIS_URL, prefix)
    if key not in _redis_stores:
        _redis_stores[key] = RedisStore(*key)
    return _redis_stores[key]


# What a store raises when its backend is unreachable.
STORE_ERRORS = (redis.RedisError, OSError)
