from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from connections.models import Connection, ConnectionChange, Outage

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_connections_and_outages_once(db: Any) -> None:
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", without_history=True, verbosity=0)
    counts = (Connection.objects.count(), Outage.objects.count(), ConnectionChange.objects.count())
    assert counts[0] == 6 and counts[1] >= 8
    legesenter = Connection.objects.get(source_reference="demo:legesenter")
    assert [org.name for org in legesenter.shared_with.all()] == ["Lege Ola Berg (demo)"]
    call_command("seed_demo", without_history=True, verbosity=0)
    assert (Connection.objects.count(), Outage.objects.count(), ConnectionChange.objects.count()) == counts
