"""Cached values that are never staler than the data they are computed from: a *generation* number.

A value computed from many rows (the national status figures, the organisation list's count, the API's
member answers) is cached under a key that holds a generation number kept in the shared cache. Every
change to what the value depends on bumps the number (a ``post_save``/``post_delete`` receiver, or the
writer itself), at once and again when the transaction commits, so a value computed from the rows before
a change is unreachable after it — in the shared cache and in every process's own copy. Writes that
bypass model signals (the register import's bulk upsert, ``seed_scale``) are caught by the time-to-live:
a value is at most twice ``ttl`` old (a process may keep its own copy for that long after the shared one
was made).

One ``Generation`` per kind of value (``dashboards.freshness``, ``organisations.listing``,
``integrations.member_cache``), each bumped by the changes that kind depends on.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.db import transaction
from django.utils import translation

T = TypeVar("T")


def fresh_start() -> int:
    """A starting number never used before, so a lost counter never revives old cached values (in the
    shared cache, or in a process's own copy). Random rather than the clock: a clock can repeat (set
    back, or frozen in a test)."""
    return secrets.randbits(62)


class Generation:
    """The generation number under ``key`` in the shared cache, and values cached under it."""

    def __init__(self, key: str, *, prefix: str, ttl: int = 60) -> None:
        self.key = key
        self.prefix = prefix
        self.ttl = ttl

    def __repr__(self) -> str:
        return f"Generation({self.key!r})"

    def current(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, fresh_start(), timeout=None)
            value = cache.get(self.key, 0)
        return int(value)

    def bump(self, *_args: Any, **_kwargs: Any) -> None:
        """A change to what the values depend on (a signal receiver's signature). Bumped at once (this
        transaction's own reads see new values) and again when it commits (values another request
        computed meanwhile, from the old rows, are dropped). A rolled-back change costs one
        recomputation, never a stale value."""
        self.incr()
        transaction.on_commit(self.incr)

    def incr(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # not there (expired, evicted, a new cache): any new value invalidates
            cache.add(self.key, fresh_start(), timeout=None)

    def cached(self, name: str, parts: tuple[Any, ...], compute: Callable[[], T], *, current: int | None = None) -> T:
        """``compute()``, cached per generation, language and ``parts``: in this process's memory first,
        then in the shared cache. The key holds the generation (``current``, or read from the shared
        cache now), so a change anywhere makes every process's copy unreachable at once."""
        current = self.current() if current is None else current
        raw = "|".join(map(str, (name, current, translation.get_language(), *parts)))
        key = f"{self.prefix}:" + hashlib.sha256(raw.encode()).hexdigest()
        local = caches["local"]
        value: T | None = local.get(key)
        if value is None:
            value = cache.get(key)
            if value is None:
                value = compute()
                cache.set(key, value, self.ttl)
            local.set(key, value, self.ttl)
        return value
