"""The portal's URLs plus two bench-only views. ``/bench/one-cache-read``: one ``get_many`` of two keys
from the shared cache (Redis) and a fixed answer — what the token check and the cached member answer cost
at the least, with no token, no rate limit, no query. ``/api/bench/trivial``: the trivial view
(``/healthz``'s) under the API's prefix, so that a call with a bearer header passes the API's own
middleware stack (core/stacks.py) as the API's operations do. Served only by bench/settings_floor.py."""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import path

from core.views import healthz
from portal.urls import urlpatterns as portal_urlpatterns

ONE_CACHE_READ = "/bench/one-cache-read"
API_TRIVIAL = "/api/bench/trivial"


def one_cache_read(request: HttpRequest) -> HttpResponse:
    cache.get_many(["bench:floor:a", "bench:floor:b"])
    return HttpResponse(b'{"ok": true}', content_type="application/json")


urlpatterns = [
    path(ONE_CACHE_READ.lstrip("/"), one_cache_read),
    path(API_TRIVIAL.lstrip("/"), healthz),
    *portal_urlpatterns,
]
