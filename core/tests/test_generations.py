"""Values cached under a generation (core.generations): a bump makes every cached value unreachable, now
and again when the transaction commits; a lost counter starts afresh instead of reviving old values."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache, caches

from core.generations import Generation

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def gen() -> Generation:
    cache.clear()
    caches["local"].clear()
    return Generation("test:generation", prefix="test", ttl=60)


def test_a_value_is_computed_once_per_generation_and_language(gen: Generation) -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert gen.cached("x", (1,), compute) == 1
    assert gen.cached("x", (1,), compute) == 1
    assert gen.cached("x", (2,), compute) == 2  # other parts: another value
    caches["local"].clear()
    assert gen.cached("x", (1,), compute) == 1  # the shared copy, not computed again
    assert len(calls) == 2


def test_a_bump_drops_the_values_at_once_and_again_on_commit(
    gen: Generation, django_capture_on_commit_callbacks: Any
) -> None:
    values = iter(range(10))
    first = gen.cached("x", (), lambda: next(values))
    before = gen.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        gen.bump()
    assert gen.current() == before + 1
    second = gen.cached("x", (), lambda: next(values))  # this transaction's own reads see new values
    assert second != first
    assert [getattr(c, "__self__", None) for c in callbacks] == [gen]
    callbacks[0]()
    assert gen.current() == before + 2
    assert gen.cached("x", (), lambda: next(values)) not in (first, second)


def test_a_lost_counter_starts_from_a_fresh_random_number(gen: Generation) -> None:
    before = gen.current()
    cache.delete(gen.key)
    gen.incr()  # not there: a new start, not 1
    after = gen.current()
    assert after not in (before, before + 1, 1)
    assert gen.current() == after
