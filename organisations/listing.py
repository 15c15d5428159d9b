"""What the organisation list computes the same way for every request until the registry changes: the
number of organisations a filter matches (the paginator's COUNT over up to 70,000 rows) and the filter
form's rendered markup (its county and Diginettverk choices).

Both are cached under a *generation* that every change to what they depend on bumps (an organisation,
a municipality, a county, a Diginettverk: ``organisations.apps`` connects ``bump``), at once and again
when the transaction commits, so a cached figure is the figure of the current data — the way
``dashboards.freshness`` keeps the status figures (which this layer may not import). Bulk writes that
bypass model signals (the register import's upsert, ``seed_scale``) are caught by the time-to-live: at
most twice ``TTL_SECONDS`` (a process may keep its own copy for that long after the shared one was
made). The count's key is the query itself (its SQL and parameters), so it holds the filter and who
may see what (``visible_to`` is part of the query).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation

T = TypeVar("T")
GENERATION_KEY = "organisations:generation"
TTL_SECONDS = 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, secrets.randbits(62), timeout=None)
        value = cache.get(GENERATION_KEY, 0)
    return int(value)


def bump(*_args: Any, **_kwargs: Any) -> None:
    """A change to the registry (a ``post_save``/``post_delete`` receiver): cached counts and forms are
    dropped now and again when the transaction commits."""
    _incr()
    transaction.on_commit(_incr)


def _incr() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted, a new cache): a new random start invalidates everything
        cache.add(GENERATION_KEY, secrets.randbits(62), timeout=None)


def cached(name: str, parts: tuple[Any, ...], compute: Callable[[], T], *, current: int | None = None) -> T:
    """``compute()``, cached per generation, language and ``parts``: in this process's memory first,
    then in the shared cache."""
    current = generation() if current is None else current
    raw = "|".join(map(str, (name, current, translation.get_language(), *parts)))
    key = "organisations:" + hashlib.sha256(raw.encode()).hexdigest()
    local = caches["local"]
    value = local.get(key)
    if value is None:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, TTL_SECONDS)
        local.set(key, value, TTL_SECONDS)
    return value


def query_key(queryset: QuerySet[Any]) -> str:
    """The query's SQL and parameters: what it reads, filtered, ordered and scoped."""
    if queryset.query.is_empty():
        return "none"
    sql, params = queryset.query.sql_with_params()
    return f"{sql}|{params!r}"


def count(queryset: QuerySet[Any], *, current: int | None = None, key: str | None = None) -> int:
    """``queryset.count()``, cached per generation under the query (``key``: its ``query_key``)."""
    if queryset.query.is_empty():
        return 0
    return cached("count", (key or query_key(queryset),), queryset.count, current=current)


class CachedCountPaginator(Paginator):
    """A paginator whose total (``count``) is read through ``count`` above."""

    def __init__(self, *args: Any, generation: int | None = None, key: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._generation = generation
        self._key = key

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return count(self.object_list, current=self._generation, key=self._key)
        return len(self.object_list)
