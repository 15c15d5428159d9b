"""Rate limits per client on public endpoints, with the `limits` library (moving windows).

Storage: Redis in production (``REDIS_URL``, shared by every web node), each process's memory in the
embedded default (one process: ``make run``). The client's address comes from ``REMOTE_ADDR``, or from
``X-Forwarded-For`` only as far as the ``TRUSTED_PROXIES`` in front of the portal vouch for it (core.client_ip).

The portal's one rate-limit mechanism (logins excepted: django-axes throttles those). Reuse:
``hit(scope, key, rate)`` for any counter (e.g. the API's budget per token in integrations.api), the
``rate_limited(scope, rate)`` decorator for a view, ``too_many_requests(request, retry_after)`` for the
429 response with ``Retry-After``.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from limits import RateLimitItem, parse
from limits.storage import RedisStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core import metrics
from core.cache import RedisCache
from core.client_ip import client_ip

logger = logging.getLogger(__name__)

_limiter: MovingWindowRateLimiter | None = None
_storage: Storage | None = None

View = TypeVar("View", bound=Callable[..., HttpResponse])


def _get_limiter() -> MovingWindowRateLimiter:
    global _limiter, _storage
    if _limiter is None:
        storage = storage_from_string(settings.RATELIMIT_STORAGE_URI)
        _storage = storage  # type: ignore[assignment]  # a synchronous URI gives a synchronous storage
        _limiter = MovingWindowRateLimiter(storage)
    return _limiter


def reset(*, counters: bool = True) -> None:
    """Forget every counter (tests; an operator after an incident) and re-read the storage setting
    (``counters=False``: only re-read it, the counters stay where they are)."""
    global _limiter, _storage
    if counters and _storage is not None:
        try:
            _storage.reset()
        except Exception:
            logger.warning("The rate-limit storage could not be reset")
    _limiter = None
    _storage = None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until one more request is allowed (0 when allowed)


ALLOWED = Verdict(True, 0)


@functools.lru_cache(maxsize=64)
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


def hit(scope: str, key: str, rate: str) -> Verdict:
    """Count one request for (scope, key) against a rate such as "10/minute"; say whether it may pass.

    When the storage cannot be reached the request passes (and it is logged): a Redis outage must not
    lock every user out; the body-size limits still hold."""
    if not settings.RATELIMIT_ENABLED:
        return ALLOWED
    item = _item(rate)
    limiter = _get_limiter()
    try:
        if limiter.hit(item, scope, key):
            return ALLOWED
    except Exception:
        logger.exception("Rate-limit storage unavailable; %s not limited", scope)
        return ALLOWED
    return _refused(limiter, item, scope, key)


def _refused(limiter: MovingWindowRateLimiter, item: RateLimitItem, scope: str, key: str) -> Verdict:
    try:
        stats = limiter.get_window_stats(item, scope, key)
    except Exception:
        logger.exception("Rate-limit storage unavailable; %s not limited", scope)
        return ALLOWED
    return Verdict(False, max(1, math.ceil(stats.reset_time - time.time())))


def hit_and_read(scope: str, key: str, rate: str, keys: list[str]) -> tuple[Verdict, dict[str, Any]]:
    """``hit(scope, key, rate)`` and the shared cache's ``get_many(keys)``, in one Redis round trip when
    the counters and the cache are the same Redis (production's default: ``RATELIMIT_STORAGE_URI`` is
    ``REDIS_URL``), else one after the other. The API's token check (``integrations.services``) counts a
    token it has seen valid this way: its hottest read, the member lookup, makes one round trip, not two.

    The count is `limits`' own moving window — its script (``acquire_moving_window``, already loaded by
    the storage; loaded again through ``hit`` when Redis has forgotten it) with the arguments its
    ``acquire_entry`` passes — on the cache's pipeline; ``core/tests/test_ratelimit_redis.py`` holds both ways to the
    same counts and refusals, so an upgrade of `limits` that changes either shows there."""
    backend = caches["default"]
    if not settings.RATELIMIT_ENABLED:
        return ALLOWED, backend.get_many(keys)
    limiter = _get_limiter()
    storage = _storage
    if not (
        isinstance(storage, RedisStorage)
        and isinstance(backend, RedisCache)
        and backend.location == settings.RATELIMIT_STORAGE_URI
    ):
        return hit(scope, key, rate), backend.get_many(keys)
    item = _item(rate)
    counter = storage.prefixed_key(item.key_for(scope, key))
    script = storage.lua_acquire_moving_window

    def count(pipeline: Any) -> None:
        pipeline.evalsha(script.sha, 1, counter, time.time(), item.amount, item.get_expiry(), 1)

    values, (acquired,) = backend.get_many_with(keys, count)
    if isinstance(acquired, Exception):  # the script forgotten (a restarted Redis), or a failing counter
        return hit(scope, key, rate), values
    return (ALLOWED if acquired else _refused(limiter, item, scope, key)), values


def client_address(request: HttpRequest) -> str:
    """The client's address: one rule for limits, throttling and the audit trail (core.client_ip)."""
    return client_ip(request)


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    wants_json = request.path.endswith(".json") or "application/json" in request.headers.get("Accept", "")
    if wants_json:
        response: HttpResponse = JsonResponse(
            {"error": "too many requests", "retry_after_seconds": retry_after}, status=429
        )
    else:
        body = loader.render_to_string("errors/429.html", {"retry_after": retry_after}, request=request)
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(
    scope: str, rate: Callable[[], str] | str, *, methods: tuple[str, ...] | None = None
) -> Callable[[View], View]:
    """Limit a view per client address. ``rate`` may be a callable (read from settings per request)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if methods is None or request.method in methods:
                verdict = hit(scope, client_address(request), rate() if callable(rate) else rate)
                if not verdict.allowed:
                    metrics.THROTTLED.labels(scope=scope).inc()
                    logger.warning("Rate limit %s reached by a client; retry after %s s", scope, verdict.retry_after)
                    return too_many_requests(request, verdict.retry_after)
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator
