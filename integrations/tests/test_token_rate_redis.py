"""The API's token check on Redis as production runs it: a token this process has seen is counted in
the token check's own round trip (core.ratelimit.hit_and_read), a guessed one is never counted, and the
budget holds across both ways of counting."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from limits import parse

from core import ratelimit
from core.tests.test_ratelimit_redis import Spy, on_redis  # noqa: F401  # the fixture, used below
from core.tests.test_ratelimit_redis import pytestmark as needs_redis
from integrations.models import ApiToken
from integrations.services import RATE_SCOPE, TOKEN_PREFIX
from integrations.tests.conftest import ApiWorld

LOOKUP = "/api/v1/members/{}"
pytestmark = [needs_redis, pytest.mark.usefixtures("on_redis")]


@override_settings(API_RATE_LIMIT_PER_MINUTE=4)
def test_a_seen_token_is_counted_in_its_checks_round_trip(
    api_world: ApiWorld, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = LOOKUP.format(api_world.world.org_a.org_number)
    token = ApiToken.objects.get(prefix=api_world.tokens["national"][:10])
    # Redis outlives the test database: a counter of an earlier run's token with this id, this minute.
    ratelimit._get_limiter().clear(parse("4/minute"), RATE_SCOPE, str(token.pk))
    spy = Spy(monkeypatch)

    first = client.get(url, **api_world.auth("national"))
    assert first.status_code == 200
    assert (spy.pipelines, spy.hits) == (0, 1)  # not seen yet: checked, then counted
    codes = [client.get(url, **api_world.auth("national")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # one budget across both ways of counting
    assert (spy.pipelines, spy.hits) == (4, 1)  # seen: the count rides on the check's round trip


def test_a_guessed_token_is_never_counted(api_world: ApiWorld, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    url = LOOKUP.format(api_world.world.org_a.org_number)
    spy = Spy(monkeypatch)
    for _ in range(3):
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {TOKEN_PREFIX}{'x' * 43}")
        assert response.status_code == 401
    assert (spy.pipelines, spy.hits) == (0, 0)


def test_a_revoked_token_is_refused_on_the_next_request_though_seen(api_world: ApiWorld, client: Any) -> None:
    from integrations.services import api_token_revoke

    url = LOOKUP.format(api_world.world.org_a.org_number)
    assert client.get(url, **api_world.auth("read_only")).status_code == 200
    assert client.get(url, **api_world.auth("read_only")).status_code == 200  # seen, answered from Redis
    token = ApiToken.objects.get(prefix=api_world.tokens["read_only"][:10])
    api_token_revoke(actor=token.owner, token=token)
    assert client.get(url, **api_world.auth("read_only")).status_code == 401


def test_a_page_of_the_member_list_is_one_round_trip_when_kept(
    api_world: ApiWorld, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list's generation is read with the token check (member_cache.prefetch_keys); the page itself
    comes from this process's memory."""
    from core.cache import RedisCache

    for _ in range(2):  # seen, and the page kept
        assert client.get("/api/v1/members/", **api_world.auth("national")).status_code == 200
    spy = Spy(monkeypatch)
    gets = []
    monkeypatch.setattr(RedisCache, "get", lambda *args, **kwargs: gets.append(args[1:]))
    response = client.get("/api/v1/members/", **api_world.auth("national"))
    assert response.status_code == 200 and response.json()["results"]
    assert (spy.pipelines, spy.hits, spy.reads, gets) == (1, 0, 0, [])
