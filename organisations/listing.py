"""What the organisation list computes the same way for every request until the registry changes: the
number of organisations a filter matches (the paginator's COUNT over up to 70,000 rows) and the filter
form's rendered markup (its county and Diginettverk choices).

Both are cached under a *generation* (``core.generations``) that every change to what they depend on
bumps (an organisation, a municipality, a county, a Diginettverk: ``organisations.apps`` connects
``bump``), so a cached figure is the figure of the current data; bulk writes that bypass model signals
(the register import's upsert, ``seed_scale``) are caught by the time-to-live, at most twice
``TTL_SECONDS``. The count's key is the query itself (its SQL and parameters), so it holds the filter and who
may see what (``visible_to`` is part of the query).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

from core.generations import Generation

TTL_SECONDS = 60
REGISTRY = Generation("organisations:generation", prefix="organisations", ttl=TTL_SECONDS)
GENERATION_KEY = REGISTRY.key
generation = REGISTRY.current
# A change to the registry (connected to the models' signals in ``organisations.apps``).
bump = REGISTRY.bump
cached = REGISTRY.cached


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
