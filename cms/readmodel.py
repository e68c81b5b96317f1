"""Generations of the catalog: what every cached catalog read is keyed by.

A generation is an opaque token in the Django cache (Redis when configured).
A cached read puts the generations it depends on into its key; a change makes a
new token, so every entry built before it is never read again (no key is ever
deleted by pattern, and nothing waits for an expiry):

- ``CATALOG``: any change anywhere in the catalog (a product, a variant, stock
  crossing zero, a rating, popularity, a category). Lists, counts and
  recommendations depend on it.
- ``TREE``: a change to the page tree other than a product's own content (a
  category published, unpublished, renamed or moved; a product moved). Page
  URLs and breadcrumbs depend on it.
- ``product(pk)``: a change to that product: publish, unpublish, its variants,
  its available stock, its rating. A product's detail depends on it (with
  ``TREE``).

Other apps may key their reads by generations of their own and renew them with
``renew(names)`` (the recommender: a shopper's history).

Writers call ``product_changed(ids)``, ``tree_changed()`` or
``catalog_changed()`` inside their transaction; the new tokens are written once
it commits (``transaction.on_commit``), so a reader never caches data read
before the commit under the new token. Reads built between the commit and the
write land under the old token, which nobody reads again. Callers:

- ``cms.signals``: Wagtail's page_published / page_unpublished (every publishing
  path: editor, bulk actions, scheduled publishing, ``revision.publish()``,
  deletion), page moves and Site saves; Variant saves and deletes (the
  variants admin, and the page editor's publish writing its inline variants).
- ``shop.stock.services``: every change of a variant's available quantity
  (stock admin, checkout completion, cancellations, refunds); ``CATALOG`` only
  when it crosses zero (the lists' in-stock flag).
- ``cms.services.reviews`` (ratings), ``recommend.pipeline`` (popularity),
  ``shop.demo`` (bulk seeding).

They run where the catalog events are emitted rather than in a plugin: staff
can deactivate a plugin, and whether reads are fresh must not depend on it.

When the cache is down, ``current()`` answers None and callers build the read
from the database without caching it: slower, never failing, never stale. A
change made while Redis is down cannot write its tokens: the process that made
it renews ``CATALOG`` and ``TREE`` (hence every cached read) the first time the
cache answers again; cached entries also expire after ``ENTRY_TIMEOUT``, the
backstop for a process that ends before Redis comes back.
"""

import logging
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

CATALOG = "catalog"
TREE = "tree"
KEY_PREFIX = "readmodel:gen:"
# Cached reads expire after this long (seconds) even without a change: only a
# change made while the cache was unreachable relies on it.
ENTRY_TIMEOUT = 3600


def product(pk: int) -> str:
    """The generation name of one product."""
    return f"product:{pk}"


def _token() -> str:
    return uuid.uuid4().hex


# Set when this process could not write new tokens: the first time the cache
# answers again, every catalog read is renewed before any is served.
_lost_change = False


def current(names: Iterable[str]) -> dict[str, str] | None:
    """The current token of each generation (one cache round trip when they
    exist); None when the cache is unreachable."""
    if _lost_change:
        _renew_after_outage()
    keys = {name: KEY_PREFIX + name for name in names}
    found = cache.get_many(list(keys.values()))
    missing = [name for name, key in keys.items() if key not in found]
    if missing:
        # First use, or evicted: start a generation. add() keeps a token another
        # process made meanwhile; read back whichever won.
        for name in missing:
            cache.add(keys[name], _token(), timeout=None)
        found.update(cache.get_many([keys[name] for name in missing]))
        if any(keys[name] not in found for name in missing):
            return None
    return {name: found[key] for name, key in keys.items()}


def cache_key(kind: str, names: Iterable[str], *parts: str) -> str | None:
    """A cache key for a read of `kind` identified by `parts` that depends on the
    generations `names`; None when the cache is unreachable (do not cache)."""
    tokens = current(names)
    if tokens is None:
        return None
    return ":".join(["readmodel", kind, *tokens.values(), *parts])


def _bump(names: list[str]) -> bool:
    """Writes new tokens; False when the cache did not take them."""
    global _lost_change
    tokens = {KEY_PREFIX + name: _token() for name in names}
    cache.set_many(tokens, timeout=None)
    # The cache swallows its errors (a write to a down Redis is skipped): read
    # one token back to know.
    first = KEY_PREFIX + names[0]
    if cache.get(first) == tokens[first]:
        return True
    _lost_change = True
    logger.error(
        "Cache unreachable: new catalog generations (%s) are written when it "
        "answers again",
        ", ".join(names),
    )
    return False


def _renew_after_outage() -> None:
    # CATALOG and TREE renew every read there is (details are keyed by TREE).
    global _lost_change
    _lost_change = False
    _bump([CATALOG, TREE])


def _on_commit(names: list[str]) -> None:
    # robust: the change is committed; a cache failure must not undo it.
    transaction.on_commit(lambda: _bump(names), robust=True)


def renew(names: Iterable[str]) -> None:
    """New tokens for these generations once the transaction commits: for
    generations of other apps' reads (e.g. a shopper's history)."""
    _on_commit(list(names))


def product_changed(product_ids: Iterable[int], *, listed: bool = True) -> None:
    """These products changed (content, variants, prices, stock, rating).

    `listed=False` when nothing a list shows changed (a quantity in stock that
    did not cross zero): lists and counts keep their generation.
    """
    names = [product(pk) for pk in sorted(set(product_ids))]
    if names:
        _on_commit([CATALOG, *names] if listed else names)


def tree_changed() -> None:
    """The page tree changed: categories, URLs, where products sit."""
    _on_commit([CATALOG, TREE])


def catalog_changed() -> None:
    """Something catalog-wide changed (popularity, a bulk load)."""
    _on_commit([CATALOG])
