"""The shared cache in production: Django's Redis cache, with one ``redis.Redis`` per connection pool, and
a read that carries other commands in its round trip.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every cache operation (its
table of response callbacks, its retry and observability set-up), which costs more processor time than
the round trip it then makes: on a quiet machine one ``get_many`` of two keys took 197 µs of CPU through
Django's backend, 120 µs through this one, 105 µs as a bare ``MGET`` — and a view doing nothing but that
read served 78 % of the trivial view's requests per second through Django's backend, 97 % through this
one (docs/benchmarks.md, "The member-service API", the session of 2026-12-05, wave 6). A
``redis.Redis`` holds no connection of its own (it borrows one from the pool per command) and is safe to
share between threads, so one per pool is enough. ``get_client`` is the method Django's backend offers
for overriding (its comment: "custom cache client can be implemented"); the pool and the client class it
reads are Django's own attributes.

``get_many_with`` is ``get_many`` plus commands of the caller's on the same pipeline: the API's token
check reads its keys and counts the token's request (``core.ratelimit.hit_and_read``) in one round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, see the docstring
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def get_many_with(self, keys: list[str], commands: Callable[[Any], None]) -> tuple[dict[str, Any], list[Any]]:
        # The primary (``write``): the caller's commands may write.
        pipeline = self.get_client(write=True).pipeline(transaction=False)
        pipeline.mget(keys)
        commands(pipeline)
        found, *results = pipeline.execute(raise_on_error=False)
        if isinstance(found, Exception):
            raise found
        loads = self._serializer.loads  # type: ignore[attr-defined]  # Django's, as get_many uses it
        return {key: loads(value) for key, value in zip(keys, found, strict=True) if value is not None}, results


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def validate_key(self, key: str) -> None:
        """Nothing to check: Django's check warns of keys memcached would refuse (over 250 characters,
        control characters), one character at a time, on every call — Redis keys are binary-safe."""

    @property
    def location(self) -> str:
        """The Redis server (and database) the cache uses, as configured: the first for writes."""
        return str(self._servers[0])  # type: ignore[attr-defined]  # Django's list of LOCATION's servers

    def get_many_with(
        self, keys: Iterable[str], commands: Callable[[Any], None], version: int | None = None
    ) -> tuple[dict[str, Any], list[Any]]:
        """``get_many(keys)`` and the commands ``commands`` queues on the pipeline it is given, in one
        round trip: (the values found, by the caller's keys; each command's result, or the exception it
        raised — a failing command does not fail the read)."""
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        client = cast(SharedClientRedisCacheClient, self._cache)  # the class __init__ chose
        found, results = client.get_many_with(list(key_map), commands)
        return {key_map[key]: value for key, value in found.items()}, results
