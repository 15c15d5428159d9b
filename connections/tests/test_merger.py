"""A merger or change of owner in Enhetsregisteret moves the old organisation's lines to the new one."""

from __future__ import annotations

from typing import Any

from connections.choices import ChangeKind, ConnectionStatus
from connections.models import ConnectionChange
from enhetsregisteret.models import Merger
from enhetsregisteret.services import organisation_merged
from organisations.tests.factories import OrganisationFactory


def test_the_merger_signal_moves_live_lines_and_shares(world: Any, make_connection: Any) -> None:
    old, new = world.org_a, OrganisationFactory()
    line = make_connection(org=old)
    ended = make_connection(org=old, status=ConnectionStatus.DECOMMISSIONED, decommissioned_on="2021-01-01")
    shared = make_connection(org=world.org_b)
    shared.shared_with.add(old)

    organisation_merged.send(sender=Merger, merger=None, old=old, new=new, actor=world["membership_manager"])

    line.refresh_from_db()
    ended.refresh_from_db()
    assert line.organisation == new
    assert ended.organisation == old  # history stays where it was
    assert list(shared.shared_with.all()) == [new]
    moved = ConnectionChange.objects.filter(kind=ChangeKind.MOVED_ON_MERGER)
    assert {c.connection_id for c in moved} == {line.pk, shared.pk}
    assert moved.get(connection=line).before["organisation"] == old.pk
