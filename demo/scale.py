"""seed_scale: a national-scale dataset for benchmarks and query-count checks.

On top of the demo (the 357 municipalities and the 2025 signing round) it adds, by default, 50,000
health enterprises (ENK/AS with valid organisation numbers) of which about 70 % have signed, 500,000
service agreements and 1,000,000 audit events in a valid hash chain. Rows go in with bulk inserts in
batches, so the whole set takes minutes, not hours.

The enterprises' signatures are **synthetic**: each stores a tiny placeholder instead of a sealed PDF
(sealing 35,000 PDFs would take most of an hour and measure pyHanko, not the portal). Refused in
production, like all demo data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agreements.catalogue import load_catalogue
from agreements.choices import AgreementState
from agreements.models import Service, ServiceAgreement
from agreements.services import current_terms
from core.audit import GENESIS, actor_label, event_hash
from core.models import AuditEvent
from lib.iterables import batched
from lib.search import fold
from memberships.choices import MembershipState
from memberships.models import Membership, Signature, TermsVersion
from organisations.choices import OrganisationForm, Source
from organisations.models import Municipality, Organisation
from organisations.validators import with_check_digit

BATCH = 5_000
PLACEHOLDER_PDF = b"%PDF-1.4\n% synthetic signature for seed_scale: no sealed document\n%%EOF\n"
INDUSTRY_CODES = ["86.211", "86.221", "86.230", "86.901", "86.904", "86.905", "86.909", "87.101"]
FIRST = ["Lege", "Tannlege", "Fysioterapeut", "Psykolog", "Kiropraktor", "Jordmor"]
LAST = ["Berg", "Hansen", "Johansen", "Larsen", "Olsen", "Nilsen", "Dahl", "Lie", "Moe", "Haugen"]


@dataclass(frozen=True)
class ScaleReport:
    enterprises: int
    signatures: int
    agreements: int
    audit_events: int


def _org_numbers(count: int, rng: random.Random) -> Iterator[str]:
    """Valid MOD11 numbers in the 92… series (not used by the reference data or the 999… demo units)."""
    taken = set(Organisation.objects.filter(org_number__startswith="92").values_list("org_number", flat=True))
    base = 92_000_000
    produced = 0
    while produced < count:
        base += rng.randint(1, 7)
        number = with_check_digit(str(base))
        if number and number not in taken:
            produced += 1
            yield number


def seed_scale(
    *,
    enterprises: int = 50_000,
    agreements: int = 500_000,
    audit_events: int = 1_000_000,
    progress: Callable[[str], None] = lambda message: None,
) -> ScaleReport:
    rng = random.Random(357)  # noqa: S311 - synthetic data, not security
    version = TermsVersion.objects.filter(label="2025").first()
    if version is None:
        raise ValueError("Run seed_demo first: the scale data builds on the 2025 signing round.")
    load_catalogue()
    User = get_user_model()
    signer, _created = User.objects.get_or_create(
        email="scale-signer@scale.medlemsportal.invalid",
        defaults={"full_name": "Syntetisk signatar", "is_demo": True, "is_active": False},
    )
    municipalities = list(Municipality.objects.select_related("organisation"))
    start = version.published_at
    span = (timezone.make_aware(dt.datetime(2025, 6, 30)) - start).total_seconds()

    made = Organisation.objects.filter(source=Source.DEMO, org_number__startswith="92").count()
    progress(f"enterprises: {made} exist, adding {max(enterprises - made, 0)}")
    numbers = _org_numbers(max(enterprises - made, 0), rng)
    signatures = 0
    for batch in batched(numbers, BATCH):
        with transaction.atomic():
            orgs = []
            for number in batch:
                form = rng.choice([OrganisationForm.ENK, OrganisationForm.ENK, OrganisationForm.AS])
                municipality = rng.choice(municipalities)
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {number[-4:]}" + (" AS" if form == "AS" else "")
                orgs.append(
                    Organisation(
                        org_number=number,
                        name=name,
                        search_name=name.casefold(),
                        search_key=fold(name),
                        form=form,
                        industry_codes=[rng.choice(INDUSTRY_CODES)],
                        address_municipality_id=municipality.pk,
                        postal_place=municipality.name.upper(),
                        source=Source.DEMO,
                    )
                )
            Organisation.objects.bulk_create(orgs, batch_size=BATCH)
            orgs = list(Organisation.objects.filter(org_number__in=batch))
            memberships, sigs = [], []
            for org in orgs:
                signed = rng.random() < 0.7
                memberships.append(
                    Membership(
                        organisation=org,
                        state=MembershipState.ACTIVE if signed else MembershipState.INVITED,
                        signed_version=version if signed else None,
                    )
                )
                if signed:
                    at = start + dt.timedelta(seconds=rng.random() * span)
                    digest = hashlib.sha256(f"scale:{org.org_number}".encode()).hexdigest()
                    sigs.append(
                        Signature(
                            organisation=org,
                            terms_version=version,
                            signer=signer,
                            signer_name=signer.full_name,
                            basis="general_manager",
                            basis_text="Daglig leder i Enhetsregisteret",
                            signed_at=at,
                            document_sha256=digest,
                            signed_pdf=PLACEHOLDER_PDF,
                            signed_pdf_sha256=digest,
                        )
                    )
            Membership.objects.bulk_create(memberships, batch_size=BATCH)
            Signature.objects.bulk_create(sigs, batch_size=BATCH)
            signatures += len(sigs)
        progress(f"enterprises: {len(batch)} more, {signatures} signatures")

    made_agreements = _seed_agreements(agreements, rng, progress)
    made_events = _seed_audit(audit_events, rng, signer, progress)
    return ScaleReport(enterprises, signatures, made_agreements, made_events)


def _seed_agreements(target: int, rng: random.Random, progress: Callable[[str], None]) -> int:
    existing = ServiceAgreement.objects.count()
    if existing >= target:
        return 0
    services = list(Service.objects.orderable())
    terms = current_terms(services)
    services = [s for s in services if s.pk in terms]
    held = set(ServiceAgreement.objects.live().values_list("organisation_id", "service_id"))
    org_ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    wanted = target - existing

    def rows() -> Iterator[ServiceAgreement]:
        produced = 0
        for service in services:
            for org_id in org_ids:
                if produced >= wanted:
                    return
                if (org_id, service.pk) in held or rng.random() < 0.15:
                    continue
                produced += 1
                yield ServiceAgreement(
                    organisation_id=org_id,
                    service=service,
                    terms_version=terms[service.pk],
                    state=AgreementState.ACTIVE if rng.random() < 0.9 else AgreementState.MUST_RESIGN,
                    started_on=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600)),
                )

    made = 0
    for batch in batched(rows(), 10_000):
        ServiceAgreement.objects.bulk_create(batch)
        made += len(batch)
        if made % 100_000 < 10_000:
            progress(f"service agreements: {made}")
    return made


def _seed_audit(target: int, rng: random.Random, actor: Any, progress: Callable[[str], None]) -> int:
    """Append events to the chain, each hashed over its content and the previous hash, as audit_record does."""
    existing = AuditEvent.objects.count()
    if existing >= target:
        return 0
    last = AuditEvent.objects.order_by("-id").only("id", "hash").first()
    next_id, prev = ((last.pk + 1), last.hash) if last else (1, GENESIS)
    label = actor_label(actor)
    org_ids = list(Organisation.objects.values_list("pk", flat=True)[:50_000])
    moment = timezone.make_aware(dt.datetime(2025, 1, 1))
    actions = ["organisation.viewed", "service_agreement.started", "order.state", "role.granted", "reminder.sent"]
    made = 0
    while made < target - existing:
        with transaction.atomic():
            events = []
            for _ in range(min(10_000, target - existing - made)):
                moment += dt.timedelta(seconds=rng.randint(1, 30))
                org_id = rng.choice(org_ids)
                event = AuditEvent(
                    id=next_id,
                    occurred_at=moment,
                    actor=actor,
                    actor_label=label,
                    action=rng.choice(actions),
                    object_type="organisations.organisation",
                    object_id=str(org_id),
                    organisation_id=org_id,
                    after={"synthetic": True},
                    prev_hash=prev,
                )
                event.hash = event_hash(event)
                prev = event.hash
                next_id += 1
                events.append(event)
            AuditEvent.objects.bulk_create(events)
            made += len(events)
        if made % 100_000 < 10_000:
            progress(f"audit events: {made}")
    return made
