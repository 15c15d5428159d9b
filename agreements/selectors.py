"""Reads other apps ask of services: what an organisation has, needs and pays."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from agreements import graph, pricing
from agreements.models import Service, ServiceAgreement


def services_needing_connection(organisation: Any) -> list[Service]:
    """The organisation's services that stop working without a Helsenett connection: the connection
    service itself and everything that needs it, directly or through others."""
    connection_ids = set(Service.objects.filter(is_connection=True).values_list("pk", flat=True))
    if not connection_ids:
        return []
    prerequisites = graph.prerequisite_map()
    needing = set(connection_ids)
    for pk in connection_ids:
        needing |= graph.dependents(prerequisites, pk)
    return [
        agreement.service
        for agreement in ServiceAgreement.objects.live()
        .filter(organisation=organisation, service_id__in=needing)
        .select_related("service")
    ]


@dataclass(frozen=True)
class AgreementLine:
    agreement: ServiceAgreement
    estimate: pricing.Estimate


@dataclass(frozen=True)
class Overview:
    lines: list[AgreementLine]
    total: Decimal
    total_complete: bool


def agreement_overview(organisation: Any) -> Overview:
    """The organisation's live agreements with each one's estimated annual cost, and the total."""
    agreements = list(
        ServiceAgreement.objects.live().filter(organisation=organisation).select_related("service", "terms_version")
    )
    lines = [AgreementLine(a, pricing.for_organisation(a.service, organisation)) for a in agreements]
    total, complete = pricing.total([line.estimate for line in lines])
    return Overview(lines, total, complete)
