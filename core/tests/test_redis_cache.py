"""REDIS_URL switches the cache to the real Redis server, shared by every process."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REDIS = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.skipif(
    "REDIS_URL_FOR_TESTS" not in os.environ and not _redis_up(), reason="no Redis server; CI sets REDIS_URL_FOR_TESTS"
)
def test_the_cache_round_trips_through_redis() -> None:
    code = (
        "import django; django.setup(); from django.core.cache import cache; from django.conf import settings;"
        "assert settings.CACHES['default']['BACKEND'] == 'core.cache.RedisCache';"
        "cache.set('medlemsportal-test', 'ok', 30); print(cache.get('medlemsportal-test')); cache.delete('medlemsportal-test')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "REDIS_URL": REDIS}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.skipif(
    "REDIS_URL_FOR_TESTS" not in os.environ and not _redis_up(), reason="no Redis server; CI sets REDIS_URL_FOR_TESTS"
)
def test_the_redis_cache_serves_concurrent_threads() -> None:
    """The portal's backend, as production configures it (core.cache: one client per connection pool,
    shared by the threads of a process)."""
    from concurrent.futures import ThreadPoolExecutor

    from core.cache import RedisCache

    cache = RedisCache(REDIS, {"KEY_PREFIX": "medlemsportal-threads-test"})

    def round_trip(n: int) -> Any:
        cache.set(f"k{n}", {"n": n}, 30)
        return cache.get(f"k{n}")

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(round_trip, range(40))) == [{"n": n} for n in range(40)]
        assert list(pool.map(lambda n: cache.get_many([f"k{n}", "absent"]), range(40))) == [
            {f"k{n}": {"n": n}} for n in range(40)
        ]
    cache.set("counter", 1, 30)
    assert cache.incr("counter") == 2
    cache.delete_many([f"k{n}" for n in range(40)] + ["counter"])
    assert cache.get("k1") is None
