"""The cached token check (integrations.services.api_token_authenticate): whatever takes a token's right
away is seen on the next request, though the check is cached."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from core.roles import OrganisationRoleType
from integrations.models import ApiToken
from integrations.tests.conftest import ApiWorld
from organisations.models import OrganisationRole

LOOKUP = "/api/v1/members/{}"


def _warm(api_world: ApiWorld, client: Any, kind: str) -> str:
    url = LOOKUP.format(api_world.world.org_a.org_number)
    for _ in range(2):  # the second answer comes from the cached check
        assert client.get(url, **api_world.auth(kind)).status_code == 200
    return url


def test_a_deactivated_owner_s_cached_tokens_stop_at_once(api_world: ApiWorld, client: Any) -> None:
    url = _warm(api_world, client, "read_write")
    owner = api_world.world["admin_a"]
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert client.get(url, **api_world.auth("read_write")).status_code == 401


def test_an_owner_who_leaves_the_organisation_takes_the_cached_token_along(api_world: ApiWorld, client: Any) -> None:
    url = _warm(api_world, client, "read_only")
    OrganisationRole.objects.filter(user=api_world.world["admin_a"], organisation=api_world.world.org_a).delete()
    assert client.get(url, **api_world.auth("read_only")).status_code == 401


def test_an_ended_role_stops_the_cached_token(api_world: ApiWorld, client: Any) -> None:
    url = _warm(api_world, client, "read_only")
    role = OrganisationRole.objects.get(
        user=api_world.world["admin_a"], organisation=api_world.world.org_a, role=OrganisationRoleType.ADMIN
    )
    role.valid_until = timezone.localdate() - dt.timedelta(days=1)
    role.save()
    assert client.get(url, **api_world.auth("read_only")).status_code == 401


def test_a_cached_token_expires_with_its_day(api_world: ApiWorld, client: Any) -> None:
    token = ApiToken.objects.get(description="EPJ (reads)")
    token.expires_on = timezone.localdate()
    token.save()
    url = _warm(api_world, client, "read_only")
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert client.get(url, **api_world.auth("read_only")).status_code == 401


def test_a_revocation_that_bypasses_the_model_is_seen_within_a_minute(api_world: ApiWorld, client: Any) -> None:
    url = _warm(api_world, client, "national")
    ApiToken.objects.filter(description="HelseID").update(revoked_at=timezone.now())
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert client.get(url, **api_world.auth("national")).status_code == 401


def test_a_login_keeps_the_owner_s_cached_checks(
    api_world: ApiWorld, client: Any, django_assert_num_queries: Any
) -> None:
    url = _warm(api_world, client, "national")
    owner = api_world.world["system_admin"]
    owner.last_login = timezone.now()
    owner.save(update_fields=["last_login"])
    with django_assert_num_queries(0):  # the check is still cached (and so is the answer)
        assert client.get(url, **api_world.auth("national")).status_code == 200


def test_the_cache_holds_no_secret_and_no_owner(api_world: ApiWorld, client: Any) -> None:
    from django.core.cache import cache

    from integrations.services import _token_cache_key

    _warm(api_world, client, "national")
    token = ApiToken.objects.get(description="HelseID")
    cached = cache.get(_token_cache_key(token.key_hash))
    assert cached is not None
    assert api_world.tokens["national"] not in repr(cached)
    assert all(isinstance(value, int | str | bool | dt.date | type(None)) for value in cached)
