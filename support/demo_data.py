"""Demo: the customer centre's hours, two support requests from Ringsaker kommune and a request for NHN
to attend a regional gathering."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from support.hours import current_hours
from support.models import AttendanceRequest, SupportMessage, SupportRequest


@transaction.atomic
def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    current_hours()
    ringsaker = organisations.get("municipality")
    ingrid, kari = users.get("ingrid@demo.medlemsportal.no"), users.get("kari@demo.medlemsportal.no")
    aisha = users.get("aisha@demo.medlemsportal.no")
    if ringsaker is None or ingrid is None or aisha is None:
        return
    request, created = SupportRequest.objects.get_or_create(
        organisation=ringsaker,
        subject="Tilgang til kjernejournal for legevakten",
        defaults={"created_by": ingrid, "category": "access", "status": "waiting", "assigned_to": aisha},
    )
    if created:
        SupportMessage.objects.create(
            request=request,
            author=ingrid,
            body="Legevakten i Brumunddal får ikke slått opp i kjernejournal etter at vi byttet EPJ. "
            "Hva må vi gjøre for å få tilgangen tilbake?",
        )
        SupportMessage.objects.create(
            request=request,
            author=aisha,
            from_staff=True,
            body="Takk for henvendelsen. Tilgangen følger virksomhetssertifikatet. Kan dere sende oss "
            "organisasjonsnummeret til legevakten og navnet på EPJ-leverandøren?",
        )
    request, created = SupportRequest.objects.get_or_create(
        organisation=ringsaker,
        subject="Ny tilkobling til Helsenettet for Moelv helsestasjon",
        defaults={"created_by": ingrid, "category": "connection"},
    )
    if created:
        SupportMessage.objects.create(
            request=request,
            author=ingrid,
            body="Vi åpner ny helsestasjon i Moelv i mars og trenger tilkobling til Helsenettet. "
            "Hvor lang leveringstid må vi regne med?",
        )
    if kari is not None:
        AttendanceRequest.objects.get_or_create(
            organisation=ringsaker,
            topic="Kommunestyremøte: nye medlemsvilkår for Helsenettet",
            defaults={
                "created_by": kari,
                "kind": "meeting",
                "starts_at": timezone.now().replace(hour=17, minute=0, second=0, microsecond=0) + dt.timedelta(days=21),
                "place": "Ringsaker rådhus, Brumunddal",
                "audience_size": 45,
                "details": "Kommunestyret ønsker en kort orientering om hva medlemskapet betyr for kommunen.",
            },
        )
