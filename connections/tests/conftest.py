from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from connections.choices import ConnectionStatus
from connections.models import Connection, ConnectionType
from memberships.models import Membership


@pytest.fixture
def member(world: Any) -> Callable[..., Membership]:
    def _member(org: Any, state: str = "active") -> Membership:
        reason = "own_notice" if state == "terminated" else ""
        membership, _created = Membership.objects.update_or_create(
            organisation=org, defaults={"state": state, "termination_reason": reason}
        )
        return membership

    return _member


@pytest.fixture
def make_connection(world: Any) -> Callable[..., Connection]:
    """A connection stored directly (tests of reads); services are tested on their own."""

    def _make(org: Any = None, **values: Any) -> Connection:
        defaults: dict[str, Any] = {
            "organisation": org or world.org_a,
            "site_address": "Rådhusgata 1",
            "site_municipality": world.municipality_a,
            "connection_type": ConnectionType.objects.get(code="direct"),
            "bandwidth_mbps": 100,
            "status": ConnectionStatus.ACTIVE,
            "planned_on": dt.date(2020, 1, 1),
            "ordered_on": dt.date(2020, 2, 1),
            "activated_on": dt.date(2020, 3, 1),
        }
        defaults.update(values)
        return Connection.objects.create(**defaults)

    return _make


@pytest.fixture(autouse=True)
def _in_english(english: Any) -> None:
    """Every connections test reads the English texts (the root conftest's ``english``)."""
