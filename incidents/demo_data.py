"""Demo: one incident reported by the demo municipality's security officer, answered by HelseCERT."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidents.choices import DataImpact, IncidentStatus
from incidents.models import Incident, IncidentMessage

REFERENCE = "HD-DEMO-0001"


@transaction.atomic
def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    officer = users.get("per@demo.medlemsportal.no")
    analyst = users.get("jonas@demo.medlemsportal.no")
    municipality = organisations.get("municipality")
    if (
        officer is None
        or analyst is None
        or municipality is None
        or Incident.objects.filter(reference=REFERENCE).exists()
    ):
        return
    reported = timezone.now() - dt.timedelta(days=2, hours=3)
    incident = Incident.objects.create(
        organisation=municipality,
        reference=REFERENCE,
        title="Løsepengevirus på filserver i helse og omsorg",
        what_happened="Filer på en filserver i helse- og omsorgsavdelingen ble kryptert i natt. En løsepengelapp "
        "ligger i hver mappe. Vi har koblet serveren fra nettet og stengt VPN for leverandører.",
        discovered_at=reported - dt.timedelta(hours=2),
        affected_systems="Filserver helse og omsorg; fagsystem for hjemmetjenesten (lesetilgang)",
        personal_data=DataImpact.YES,
        health_data=DataImpact.UNKNOWN,
        ongoing=False,
        contact_name=officer.full_name,
        contact_phone="+47 62 33 50 00",
        contact_email=officer.email,
        status=IncidentStatus.IN_PROGRESS,
        reported_by=officer,
        created_at=reported,
        first_response_at=reported + dt.timedelta(minutes=18),
        first_response_by=analyst,
    )
    IncidentMessage.objects.create(
        incident=incident,
        author=analyst,
        from_cert=True,
        body="Takk for rask melding. Ikke slett noe på serveren. Send oss gjerne logger fra brannmuren for de siste "
        "48 timene. Vi ringer deg innen en time.",
        created_at=reported + dt.timedelta(minutes=18),
    )
    IncidentMessage.objects.create(
        incident=incident,
        author=officer,
        body="Loggene er sendt. Vi har også varslet Datatilsynet, siden personopplysninger kan være berørt.",
        created_at=reported + dt.timedelta(hours=2),
    )
