"""Production settings with the default cache's backend chosen by ``BENCH_CACHE_BACKEND`` (a dotted path,
or a name below), for ``bench/dashboard.py --compare-cache``: ``django`` is Django's own Redis backend
(a new ``redis.Redis`` for every cache call), ``shared-client`` the portal's (``core.cache.RedisCache``:
one per connection pool; production's since issue 17's second measurement, docs/benchmarks.md)."""

import os

from portal.settings import *  # noqa: F403
from portal.settings import CACHES

VARIANTS = {
    "django": "django.core.cache.backends.redis.RedisCache",
    "shared-client": "core.cache.RedisCache",
}
CACHES["default"]["BACKEND"] = VARIANTS.get(os.environ["BENCH_CACHE_BACKEND"], os.environ["BENCH_CACHE_BACKEND"])
