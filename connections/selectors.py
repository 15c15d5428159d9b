"""Reads that span apps: what a member would lose without its own connection, who lacks one."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from agreements import selectors as agreement_selectors
from connections.choices import ConnectionStatus
from connections.models import MEMBERSHIP_IN_FORCE, Connection


def services_lost(organisation: Any) -> list[Any]:
    """The services the organisation uses that need a Helsenett connection (each with ``.name``).

    The agreements app owns what each service requires; connections sits above it in the layers."""
    return list(agreement_selectors.services_needing_connection(organisation))


def members_without_connection(organisations: QuerySet) -> QuerySet:
    """Members in force (membership active or due to re-sign) with no connection in use, owned or shared."""
    in_use = Connection.objects.exclude(status=ConnectionStatus.DECOMMISSIONED)
    return (
        organisations.filter(membership__state__in=MEMBERSHIP_IN_FORCE)
        .exclude(Exists(in_use.filter(organisation=OuterRef("pk"))))
        .exclude(Exists(in_use.filter(shared_with=OuterRef("pk"))))
    )


def has_connection(organisation: Any) -> bool:
    in_use = Connection.objects.exclude(status=ConnectionStatus.DECOMMISSIONED)
    return in_use.filter(organisation=organisation).exists() or in_use.filter(shared_with=organisation).exists()


def is_member_in_force(organisation: Any) -> bool:
    membership = getattr(organisation, "membership", None)
    return membership is not None and membership.state in MEMBERSHIP_IN_FORCE
