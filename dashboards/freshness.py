"""Cached status figures that are never staler than the data they count.

The national figures aggregate every organisation (50,000 and more); computing them on every request
would cost hundreds of milliseconds. They are cached under a *generation* number that every change
to what they count bumps (a signature, a membership, an organisation, a coordinator assignment), so a
cached figure is the figure of the current data. Bulk writes that bypass model signals (imports of the
register, seed_scale) are caught by a short time-to-live (at most twice ``TTL_SECONDS``: a process
may keep its own copy for that long after the shared one was made), or call ``bump()`` themselves.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.db import transaction
from django.utils import translation

from core.permissions import visibility

T = TypeVar("T")
GENERATION_KEY = "status:generation"
TTL_SECONDS = 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _fresh_start(), timeout=None)
        value = cache.get(GENERATION_KEY, 0)
    return int(value)


def _fresh_start() -> int:
    """A starting number never used before, so a lost counter never revives old cached figures (in
    the shared cache, or in a process's own copy). Random rather than the clock: a clock can repeat
    (set back, or frozen in a test)."""
    return secrets.randbits(62)


def bump(*_args: Any, **_kwargs: Any) -> None:
    """A change to what the figures count. Bumped at once (this transaction's own reads see new figures)
    and again when it commits (figures another request computed meanwhile, from the old data, are
    dropped). A rolled-back change costs one recomputation, never a stale figure."""
    _incr()
    transaction.on_commit(_incr)


def _incr() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (expired, evicted, a new cache): any new value invalidates
        cache.add(GENERATION_KEY, _fresh_start(), timeout=None)


def scope_key(user: Any) -> str:
    """Who the figures are for: everything (staff), or the organisations and networks a user sees."""
    if user is None:
        return "public"
    scope = visibility(user)
    if scope.everything:
        return "all"
    return (
        "ids:"
        + ",".join(map(str, sorted(scope.organisation_ids)))
        + "|nets:"
        + ",".join(map(str, sorted(scope.network_ids)))
    )


def cached(name: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, cached per generation, language and ``parts``: in this process's memory first,
    then in the shared cache. The key holds the generation, read from the shared cache on every call,
    so a change anywhere makes every process's copy unreachable at once."""
    raw = "|".join(map(str, (name, generation(), translation.get_language(), *parts)))
    key = "status:" + hashlib.sha256(raw.encode()).hexdigest()
    local = caches["local"]
    value = local.get(key)
    if value is None:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, TTL_SECONDS)
        local.set(key, value, TTL_SECONDS)
    return value
