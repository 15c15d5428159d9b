"""The rate counter counted in the shared cache's round trip (core.ratelimit.hit_and_read, core.cache):
against a real Redis, the same counts and refusals as `limits`' own ``hit``, one round trip, and a
script Redis has forgotten loaded again."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from core import ratelimit
from core.cache import RedisCache
from core.tests.test_redis_cache import REDIS, _redis_up

pytestmark = pytest.mark.skipif(
    "REDIS_URL_FOR_TESTS" not in os.environ and not _redis_up(), reason="no Redis server; CI sets REDIS_URL_FOR_TESTS"
)


def redis_settings(counters: str = REDIS) -> Any:
    prefix = f"ratelimit-test-{uuid.uuid4().hex}"
    return override_settings(
        CACHES={
            "default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": prefix},
            "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix},
        },
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=counters,
    )


@pytest.fixture
def on_redis() -> Iterator[None]:
    with redis_settings():
        ratelimit.reset(counters=False)  # read the storage setting again; other workers' counters stay
        yield
    ratelimit.reset(counters=False)


class Spy:
    """Counts the round trips: pipelines of the cache, and `limits`' own hits."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pipelines = 0
        self.hits = 0
        self.reads = 0
        client = type(caches["default"]._cache)
        pipelined = client.get_many_with
        limiter_hit = type(ratelimit._get_limiter()).hit
        read = RedisCache.get_many

        def counted_pipeline(inner: Any, *args: Any) -> Any:
            self.pipelines += 1
            return pipelined(inner, *args)

        def counted_hit(inner: Any, *args: Any, **kwargs: Any) -> Any:
            self.hits += 1
            return limiter_hit(inner, *args, **kwargs)

        def counted_read(inner: Any, *args: Any, **kwargs: Any) -> Any:
            self.reads += 1
            return read(inner, *args, **kwargs)

        monkeypatch.setattr(client, "get_many_with", counted_pipeline)
        monkeypatch.setattr(type(ratelimit._get_limiter()), "hit", counted_hit)
        monkeypatch.setattr(RedisCache, "get_many", counted_read)


def test_counted_with_the_read_as_hit_counts_in_one_round_trip(on_redis: None, monkeypatch: pytest.MonkeyPatch) -> None:
    scope, key = f"test-{uuid.uuid4().hex}", "token-1"
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.set("answer", {"is_member": True}, 30)
    spy = Spy(monkeypatch)

    verdict, values = ratelimit.hit_and_read(scope, key, "3/minute", ["answer", "missing"])
    assert verdict.allowed and values == {"answer": {"is_member": True}}
    assert (spy.pipelines, spy.hits, spy.reads) == (1, 0, 0)  # one round trip: the read and the count

    assert ratelimit.hit(scope, key, "3/minute").allowed  # `limits`' own hit shares the counter
    assert ratelimit.hit_and_read(scope, key, "3/minute", ["answer"])[0].allowed
    refused, values = ratelimit.hit_and_read(scope, key, "3/minute", ["answer"])
    assert not refused.allowed and 1 <= refused.retry_after <= 60
    assert values == {"answer": {"is_member": True}}  # the read is answered though the count refuses
    assert not ratelimit.hit(scope, key, "3/minute").allowed
    assert ratelimit.hit_and_read(scope, "another key", "3/minute", [])[0].allowed


def test_a_script_redis_has_forgotten_is_loaded_again(on_redis: None) -> None:
    scope, key = f"test-{uuid.uuid4().hex}", "token-1"
    assert ratelimit.hit_and_read(scope, key, "2/minute", [])[0].allowed
    redis.Redis.from_url(REDIS).script_flush()  # a restarted Redis: NOSCRIPT for the pipelined count
    assert ratelimit.hit_and_read(scope, key, "2/minute", [])[0].allowed  # counted by `limits` itself
    assert not ratelimit.hit_and_read(scope, key, "2/minute", [])[0].allowed


def test_counters_on_another_server_are_counted_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    with redis_settings(counters="memory://"):
        ratelimit.reset(counters=False)
        try:
            caches["default"].set("answer", 42, 30)
            spy = Spy(monkeypatch)
            scope = f"test-{uuid.uuid4().hex}"
            results = [ratelimit.hit_and_read(scope, "k", "1/minute", ["answer"]) for _ in range(2)]
            assert [verdict.allowed for verdict, _values in results] == [True, False]
            assert [values for _verdict, values in results] == [{"answer": 42}, {"answer": 42}]
            assert (spy.pipelines, spy.hits, spy.reads) == (0, 2, 2)
        finally:
            ratelimit.reset()


def test_a_failing_command_does_not_fail_the_read(on_redis: None) -> None:
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.set("answer", [1, 2], 30)
    values, (result,) = cache.get_many_with(["answer"], lambda pipeline: pipeline.incr(cache.make_key("answer")))
    assert values == {"answer": [1, 2]}
    assert isinstance(result, redis.ResponseError)


def test_the_client_is_made_once_per_pool(on_redis: None) -> None:
    cache = caches["default"]
    assert cache._cache.get_client() is cache._cache.get_client()
    cache.set("k", "v", 30)
    assert cache.get_many(["k", "absent"]) == {"k": "v"}
