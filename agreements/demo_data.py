"""Demo services: the catalogue, sizes for the price estimates, agreements (some on old terms, so the
guided flow has something to re-sign). Orders in the customer centre's queue: orders/demo_data.py. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from agreements.catalogue import GENERAL_TERMS, load_catalogue
from agreements.choices import AgreementState, TermsStatus
from agreements.models import OrganisationSize, Service, ServiceAgreement, ServiceTermsVersion
from agreements.services import current_terms, terms_sha256

# Approximate populations (SSB, 1 January 2025) and staff numbers of the demo enterprises.
SIZES = {
    "municipality": (35_600, None),
    "other_municipality": (32_900, None),
    "ola": (None, 2),
    "legesenter": (None, 14),
    "fysio": (None, 6),
}
AGREEMENTS = {
    "municipality": ["helsenettforbindelse", "adresseregisteret", "helseid", "kjernejournal", "e-resept", "grunndata"],
    "other_municipality": ["helsenettforbindelse", "adresseregisteret", "helseid", "e-resept"],
    "legesenter": ["helsenettforbindelse", "adresseregisteret", "e-resept"],
}
# Services whose 2024 terms the demo municipality signed: the 2025 terms are theirs to re-sign.
OLD_TERMS = ["kjernejournal", "e-resept"]


def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    load_catalogue()
    services = {s.slug: s for s in Service.objects.all()}
    for key, (inhabitants, employees) in SIZES.items():
        OrganisationSize.objects.get_or_create(
            organisation=organisations[key],
            defaults={"inhabitants": inhabitants, "employees": employees, "source": "SSB 2025 (demo)"},
        )
    old = {slug: _old_terms(services[slug]) for slug in OLD_TERMS}
    current = current_terms(services.values())
    start = dt.date(2024, 3, 1)
    for key, slugs in AGREEMENTS.items():
        organisation = organisations[key]
        if ServiceAgreement.objects.filter(organisation=organisation).exists():
            continue
        for slug in slugs:
            service = services[slug]
            outdated = key == "municipality" and slug in old
            ServiceAgreement.objects.create(
                organisation=organisation,
                service=service,
                terms_version=old[slug] if outdated else current[service.pk],
                state=AgreementState.MUST_RESIGN if outdated else AgreementState.ACTIVE,
                started_on=start,
            )


def _old_terms(service: Service) -> ServiceTermsVersion:
    version = ServiceTermsVersion.objects.filter(service=service, label="2024.1").first()
    if version is None:
        version = ServiceTermsVersion(
            service=service,
            label="2024.1",
            general_terms=GENERAL_TERMS.format(name=service.name),
            status=TermsStatus.PUBLISHED,
            published_at=timezone.make_aware(dt.datetime(2024, 1, 15, 9, 0)),
        )
        version.text_sha256 = terms_sha256(version)
        version.save()
    return version
