"""The signing round of the deck, replayed: terms "2025" published 15 January 2025 with the deadline
31 March 2025; 306 of 357 municipalities (86 %) had signed on 10 March 2025; by now all but a handful
have signed, and those are blocked. Plus a draft "2026" for a membership manager to publish.

Deterministic (a fixed random seed) and idempotent: a second run finds the round and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from core.audit import audit_record
from core.roles import OrganisationRoleType, SignatoryBasis
from demo import terms_2025
from demo.data import DEMO_MUNICIPALITY
from memberships.choices import MembershipState, ReminderStep, TermsStatus
from memberships.models import Membership, ReminderLog, Signature, TermsVersion
from memberships.services import (
    Authority,
    describe_basis,
    membership_for,
    membership_transition,
    record_signature,
    terms_text_sha256,
)
from organisations.choices import OrganisationForm, Source
from organisations.models import Organisation, OrganisationRole

OSLO = ZoneInfo("Europe/Oslo")
PUBLISHED = dt.datetime(2025, 1, 15, 10, 0, tzinfo=OSLO)
STATUS_DAY = dt.datetime(2025, 3, 10, 0, 0, tzinfo=OSLO)  # the webinar: 306 of 357 signed before this day
DEADLINE = dt.date(2025, 3, 31)
BLOCKED_ON = dt.datetime(2025, 4, 1, 6, 0, tzinfo=OSLO)
SIGNED_BY_STATUS_DAY = 306
NEVER_SIGNED = 5  # Ringsaker (the personas' municipality) and four others: blocked today
DEMO_ENTERPRISES_SIGNED = {"Brumunddal Legesenter AS (demo)", "Hamar Fysioterapi AS (demo)"}


def _moment(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A working-hours moment between two times: signatures happen on weekdays, 08–16."""
    while True:
        moment = start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        if moment.weekday() < 5 and 8 <= moment.hour < 16:
            return moment


def _director(organisation: Organisation, manager_of: dict[int, object]) -> object:
    """The demo municipal director (or general manager) who signed, with signatory authority."""
    user = manager_of.get(organisation.pk)
    if user is None:
        User = get_user_model()
        suffix = organisation.org_number or f"org{organisation.pk}"
        user = User(
            email=f"leder.{suffix}@demo.medlemsportal.no",
            is_demo=True,
            full_name=f"Daglig leder, {organisation.name} (demo)",
        )
        user.set_unusable_password()
        user.save()
        OrganisationRole.objects.create(
            user=user,
            organisation=organisation,
            role=OrganisationRoleType.SIGNATORY,
            signatory_basis=SignatoryBasis.GENERAL_MANAGER,
        )
    return user


@transaction.atomic
def seed_signing_history(*, publisher: object, signatures: bool = True) -> TermsVersion:
    """Publish "2025" and invite everyone; with ``signatures``, replay who signed when (every signature
    with a real sealed PDF: about a minute), else leave every organisation invited (for fast tests)."""
    version = TermsVersion.objects.filter(label="2025").first()
    if version is not None:
        return version
    version = TermsVersion(
        label="2025",
        status=TermsStatus.PUBLISHED,
        membership_terms=terms_2025.MEMBERSHIP_TERMS,
        data_processing=terms_2025.DATA_PROCESSING,
        customer_agreement=terms_2025.CUSTOMER_AGREEMENT,
        effective_date=dt.date(2025, 4, 1),
        sign_by=DEADLINE,
        required_forms=[OrganisationForm.KOMM, OrganisationForm.FYLK, OrganisationForm.ENK, OrganisationForm.AS],
        published_at=PUBLISHED,
        published_by=publisher,
        created_by=publisher,
    )
    version.text_sha256 = terms_text_sha256(version)
    version.save()
    audit_record(actor=publisher, action="terms.published", obj=version, after={"label": "2025"}, at=PUBLISHED)

    rng = random.Random(2025)  # noqa: S311 - demo data, not security
    municipalities = list(Organisation.objects.filter(form=OrganisationForm.KOMM).order_by("pk"))
    rng.shuffle(municipalities)
    blocked = [m for m in municipalities if getattr(m.municipality, "number", "") == DEMO_MUNICIPALITY]
    blocked += [m for m in municipalities if m not in blocked][: NEVER_SIGNED - len(blocked)]
    signing = [m for m in municipalities if m not in blocked]
    early, late = signing[:SIGNED_BY_STATUS_DAY], signing[SIGNED_BY_STATUS_DAY:]

    plan: list[tuple[dt.datetime, Organisation]] = []
    plan += [(_moment(rng, PUBLISHED + dt.timedelta(hours=2), STATUS_DAY), org) for org in early]
    # Some of the late ones made the deadline; the rest were blocked on 1 April and signed later.
    # Nobody signs on the webinar day itself, so "as of 10 March" is 306 whether the day counts or not.
    after_webinar = STATUS_DAY + dt.timedelta(days=1)
    plan += [(_moment(rng, after_webinar, dt.datetime(2025, 3, 31, 23, 0, tzinfo=OSLO)), org) for org in late[:38]]
    plan += [(_moment(rng, BLOCKED_ON, dt.datetime(2025, 6, 30, 16, 0, tzinfo=OSLO)), org) for org in late[38:]]
    counties = list(Organisation.objects.filter(form=OrganisationForm.FYLK))
    plan += [(_moment(rng, PUBLISHED + dt.timedelta(days=3), STATUS_DAY), org) for org in counties]
    enterprises = list(Organisation.objects.filter(source=Source.DEMO, name__in=DEMO_ENTERPRISES_SIGNED))
    plan += [
        (_moment(rng, PUBLISHED + dt.timedelta(days=10), dt.datetime(2025, 3, 28, tzinfo=OSLO)), org)
        for org in enterprises
    ]
    plan.sort(key=lambda item: item[0])

    required = [*municipalities, *counties, *Organisation.objects.filter(source=Source.DEMO)]
    for organisation in required:
        membership_transition(
            membership=membership_for(organisation),
            to_state=MembershipState.INVITED,
            terms_version=version,
            reason="Nye medlemsvilkår 2025 publisert",
            at=PUBLISHED,
        )
        ReminderLog.objects.create(organisation=organisation, terms_version=version, step=ReminderStep.INVITATION)

    managers = {
        grant.organisation_id: grant.user
        for grant in OrganisationRole.objects.filter(
            role=OrganisationRoleType.SIGNATORY, signatory_basis=SignatoryBasis.GENERAL_MANAGER
        ).select_related("user")
    }
    if not signatures:
        return version
    suspended_done = False
    for signed_at, organisation in plan:
        if not suspended_done and signed_at > BLOCKED_ON:
            _block_unsigned(version)
            suspended_done = True
        signer = _director(organisation, managers)
        grant = OrganisationRole.objects.get(
            user=signer, organisation=organisation, role=OrganisationRoleType.SIGNATORY
        )
        authority = Authority(grant=grant, basis=grant.signatory_basis, text=describe_basis(grant))
        record_signature(
            organisation=organisation,
            version=version,
            signer=signer,
            authority=authority,
            signed_at=signed_at,
            notify=False,
        )
    if not suspended_done:
        _block_unsigned(version)
    return version


def _block_unsigned(version: TermsVersion) -> None:
    signed = Signature.objects.filter(terms_version=version).values("organisation_id")
    for membership in Membership.objects.filter(state=MembershipState.INVITED).exclude(organisation_id__in=signed):
        membership_transition(
            membership=membership,
            to_state=MembershipState.SUSPENDED,
            terms_version=version,
            at=BLOCKED_ON,
            reason="Fristen 31.03.2025 gikk ut uten signatur",
        )


def seed_draft_2026(*, author: object) -> TermsVersion:
    version, _created = TermsVersion.objects.get_or_create(
        label="2026",
        defaults={
            "status": TermsStatus.DRAFT,
            "membership_terms": terms_2025.MEMBERSHIP_TERMS.replace(
                "# 5 Sperring", "# 5 Nytt i 2026\n\nKrav om to-faktor-pålogging for alle brukere.\n\n# 6 Sperring"
            ),
            "data_processing": terms_2025.DATA_PROCESSING,
            "customer_agreement": terms_2025.CUSTOMER_AGREEMENT,
            "effective_date": dt.date(2027, 4, 1),
            "sign_by": dt.date(2027, 3, 31),
            "created_by": author,
        },
    )
    return version
