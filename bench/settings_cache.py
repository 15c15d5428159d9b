"""Production settings with the default cache's backend chosen by ``BENCH_CACHE_BACKEND`` (a dotted path),
for ``bench/dashboard.py --compare-cache``. ``shared-client`` names the variant defined here: Django's
Redis cache with one ``redis.Redis`` per connection pool instead of one per call (what ``core/cache.py``
did until issue 14; it reaches into Django's private ``_get_connection_pool`` and ``_client``)."""

import os
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from portal.settings import *  # noqa: F403
from portal.settings import CACHES


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


VARIANTS = {
    "django": "django.core.cache.backends.redis.RedisCache",
    "shared-client": "bench.settings_cache.SharedClientRedisCache",
}
CACHES["default"]["BACKEND"] = VARIANTS.get(os.environ["BENCH_CACHE_BACKEND"], os.environ["BENCH_CACHE_BACKEND"])
