"""Write-side rules of advisories: drafting, review by a second analyst, publication and
corrections, distribution, acknowledgements and reminders, CSAF import, security contacts and the
threat picture. Every write checks permission, runs in a transaction and leaves an audit event where
it has weight."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from advisories import csaf, cvss
from advisories.choices import (
    TLP,
    TLP_MAIL_CONTENT_ALLOWED,
    AckStatus,
    AdvisoryStatus,
    Severity,
    Source,
)
from advisories.models import (
    Acknowledgement,
    Advisory,
    AdvisoryRevision,
    SecurityContactDetails,
    ThreatPicture,
    regions_by_organisation,
)
from core.audit import audit_record
from core.events import EventType, emit
from core.mail import mail_queue
from core.permissions import Action, can, require
from core.roles import OrganisationRoleType
from organisations.models import Organisation, OrganisationRole

CONTENT_FIELDS = [
    "title",
    "summary",
    "body",
    "severity",
    "cvss_vector",
    "affected_products",
    "affected_services",
    "recommended_actions",
    "references",
    "tlp",
    "audience_all",
    "audience_forms",
    "publish_at",
    "expires_at",
]
M2M_FIELDS = ["audience_counties", "audience_networks", "audience_organisations", "audience_people"]


def ack_hours() -> int:
    return int(getattr(settings, "ADVISORY_ACK_HOURS", 24))


def _next_tracking_id(year: int) -> str:
    prefix = f"NHN-{year}-"
    last = (
        Advisory.objects.filter(tracking_id__startswith=prefix)
        .order_by("-tracking_id")
        .values_list("tracking_id", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


# --- drafting and review -----------------------------------------------------------------------


def validate_content(advisory: Advisory) -> None:
    """Rules on a single advisory's fields (what a form cannot see on its own)."""
    errors: dict[str, list[str]] = {}
    if advisory.cvss_vector:
        try:
            cvss.parse(advisory.cvss_vector)
        except ValidationError as exc:
            errors["cvss_vector"] = exc.messages
    for line in advisory.reference_list():
        if not line.startswith("https://") or len(line) > 500 or " " in line:
            errors.setdefault("references", []).append(_("%(line)s is not an https:// address.") % {"line": line[:80]})
    if advisory.publish_at and advisory.expires_at and advisory.expires_at <= advisory.publish_at:
        errors["expires_at"] = [_("The expiry must be after the publish time.")]
    if errors:
        raise ValidationError(errors)


def validate_ready(advisory: Advisory) -> None:
    """Before review: a known TLP label, and an audience that fits it."""
    validate_content(advisory)
    if not advisory.tlp_known:
        raise ValidationError({"tlp": _("Choose a TLP label.")})
    has_orgs = (
        advisory.audience_all
        or bool(advisory.form_codes)
        or advisory.audience_counties.exists()
        or advisory.audience_networks.exists()
        or advisory.audience_organisations.exists()
    )
    if advisory.tlp == TLP.RED and not advisory.audience_people.exists():
        raise ValidationError({"audience_people": _("TLP:RED is for named people only: name at least one person.")})
    if advisory.tlp in {TLP.AMBER, TLP.AMBER_STRICT} and not has_orgs and not advisory.audience_people.exists():
        raise ValidationError(_("TLP:AMBER needs an audience: organisations, counties, Diginettverk or people."))
    if advisory.tlp == TLP.AMBER_STRICT and not has_orgs:
        raise ValidationError(_("TLP:AMBER+STRICT stays within member organisations: choose at least one."))


@transaction.atomic
def advisory_save(*, actor: Any, form: Any) -> Advisory:
    """Save a draft from the advisory form (new or existing; never a published advisory)."""
    require(actor, Action.ADVISORY_MANAGE)
    advisory = form.save(commit=False)
    if advisory.pk is not None:
        current = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if current.status != AdvisoryStatus.DRAFT:
            raise ValidationError(_("Only a draft can be changed. Write a correction instead."))
    validate_content(advisory)
    created = advisory.pk is None
    if created:
        advisory.author = actor
        advisory.status = AdvisoryStatus.DRAFT
        advisory.tracking_id = _next_tracking_id(timezone.localdate().year)
    advisory.save()
    form.save_m2m()
    audit_record(
        actor=actor,
        action="advisory.created" if created else "advisory.edited",
        obj=advisory,
        after={"tracking_id": advisory.tracking_id, "title": advisory.title, "tlp": advisory.tlp},
    )
    return advisory


def _locked(advisory: Advisory) -> Advisory:
    return Advisory.objects.select_for_update().get(pk=advisory.pk)


@transaction.atomic
def advisory_submit(*, actor: Any, advisory: Advisory) -> Advisory:
    require(actor, Action.ADVISORY_MANAGE)
    advisory = _locked(advisory)
    if advisory.status != AdvisoryStatus.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."))
    validate_ready(advisory)
    advisory.status = AdvisoryStatus.IN_REVIEW
    advisory.submitted_by = actor
    advisory.save(update_fields=["status", "submitted_by", "updated_at"])
    audit_record(actor=actor, action="advisory.submitted", obj=advisory)
    return advisory


@transaction.atomic
def advisory_return(*, actor: Any, advisory: Advisory, reason: str) -> Advisory:
    """The reviewer sends a draft back to its author with a reason."""
    require(actor, Action.ADVISORY_MANAGE)
    advisory = _locked(advisory)
    if advisory.status != AdvisoryStatus.IN_REVIEW:
        raise ValidationError(_("Only an advisory awaiting review can be sent back."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what must change.")})
    advisory.status = AdvisoryStatus.DRAFT
    advisory.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="advisory.returned", obj=advisory, reason=reason.strip()[:2000])
    return advisory


@transaction.atomic
def advisory_approve(*, actor: Any, advisory: Advisory) -> Advisory:
    """A second analyst (never the author) approves: the advisory is published, or — for a correction —
    the original takes the corrected content as its next revision. Distribution is queued."""
    require(actor, Action.ADVISORY_MANAGE)
    advisory = _locked(advisory)
    if advisory.status != AdvisoryStatus.IN_REVIEW:
        raise ValidationError(_("Only an advisory awaiting review can be approved."))
    if actor.pk in {advisory.author_id, advisory.submitted_by_id}:
        raise PermissionDenied(_("A second CERT analyst must approve: not the one who wrote it."))
    validate_ready(advisory)
    now = timezone.now()
    if advisory.corrects_id:
        target = _locked(advisory.corrects)
        for name in CONTENT_FIELDS:
            setattr(target, name, getattr(advisory, name))
        for name in M2M_FIELDS:
            getattr(target, name).set(getattr(advisory, name).all())
        target.change_note = advisory.change_note
        author = advisory.author
        advisory.delete()  # the draft has done its work: its content lives on as the next revision
    else:
        target = advisory
        author = advisory.author
        target.first_published_at = max(now, advisory.publish_at or now)
    target.status = AdvisoryStatus.PUBLISHED
    target.revision += 1
    target.approved_by = actor
    target.published_at = max(now, target.publish_at or now) if target.revision == 1 else now
    target.save()
    AdvisoryRevision.objects.create(
        advisory=target,
        number=target.revision,
        content=target.snapshot(),
        change_note=target.change_note if target.revision > 1 else "",
        author=author,
        approved_by=actor,
        published_at=target.published_at,
    )
    audit_record(
        actor=actor,
        action="advisory.published" if target.revision == 1 else "advisory.corrected",
        obj=target,
        after={"revision": target.revision, "tlp": target.tlp, "severity": target.severity},
    )
    revision = target.revision
    run_after = target.published_at if target.published_at > now else None
    transaction.on_commit(lambda: _enqueue_distribution(target.pk, revision, run_after))
    return target


def _enqueue_distribution(advisory_id: int, revision: int, run_after: dt.datetime | None) -> None:
    from advisories.tasks import distribute_advisory

    task = distribute_advisory.using(run_after=run_after) if run_after else distribute_advisory
    task.enqueue(advisory_id, revision)


@transaction.atomic
def advisory_start_correction(*, actor: Any, advisory: Advisory) -> Advisory:
    """A draft copy of a published advisory to correct; approving it makes the next revision."""
    require(actor, Action.ADVISORY_MANAGE)
    advisory = _locked(advisory)
    if advisory.status != AdvisoryStatus.PUBLISHED:
        raise ValidationError(_("Only a published advisory can be corrected."))
    existing = advisory.corrections.first()
    if existing is not None:
        return existing
    draft = Advisory(
        tracking_id=f"{advisory.tracking_id}-k{advisory.revision + 1}"[:64],
        corrects=advisory,
        author=actor,
        status=AdvisoryStatus.DRAFT,
        source=advisory.source,
        **{name: getattr(advisory, name) for name in CONTENT_FIELDS},
    )
    draft.change_note = ""
    draft.save()
    for name in M2M_FIELDS:
        getattr(draft, name).set(getattr(advisory, name).all())
    audit_record(actor=actor, action="advisory.correction_started", obj=advisory)
    return draft


# --- distribution ------------------------------------------------------------------------------


def security_contacts(org_ids: Any) -> list[OrganisationRole]:
    return list(
        OrganisationRole.objects.active()
        .filter(organisation_id__in=org_ids, role=OrganisationRoleType.SECURITY_CONTACT)
        .select_related("user", "organisation")
        .order_by("organisation_id", "user_id")
    )


def advisory_recipients(advisory: Advisory) -> list[Any]:
    """The people an advisory is e-mailed to: the targeted members' security contacts (not for RED)
    and the named people; then each one checked against ``visible_to`` — the same rule as the pages."""
    candidates: dict[int, Any] = {}
    if advisory.tlp != TLP.RED:
        org_ids = advisory.targeted_organisations().values("pk")
        for role in security_contacts(org_ids):
            candidates[role.user_id] = role.user
    for person in advisory.audience_people.filter(is_active=True):
        candidates[person.pk] = person
    return [user for user in candidates.values() if Advisory.objects.visible_to(user).filter(pk=advisory.pk).exists()]


def _mail_context(advisory: Advisory) -> dict[str, Any]:
    base = getattr(settings, "PORTAL_BASE_URL", "")
    return {
        "advisory": advisory,
        "content_allowed": advisory.tlp in TLP_MAIL_CONTENT_ALLOWED,
        "url": base + reverse("advisories:detail", args=[advisory.pk]),
    }


def distribute(advisory_id: int, revision: int) -> int:
    """E-mail a published revision to its recipients, once each (the outbox key). Returns how many
    were queued now."""
    advisory = Advisory.objects.filter(pk=advisory_id).first()
    if advisory is None or advisory.status != AdvisoryStatus.PUBLISHED or advisory.revision != revision:
        return 0
    if advisory.published_at > timezone.now():
        return 0  # a job run early (clock skew): the scheduled one, or the daily command, sends it
    context = _mail_context(advisory)
    context["revision"] = revision
    queued = 0
    with transaction.atomic():
        for user in advisory_recipients(advisory):
            queued += len(
                mail_queue(
                    template="advisories/email/published",
                    recipients=[user.email],
                    context=context,
                    key=f"advisory:{advisory.pk}:r{revision}",
                )
            )
        # Receivers hear of it only if the advisory's TLP lets their organisation see it (integrations).
        emit(
            EventType.ADVISORY_PUBLISHED,
            organisation_id=None,
            subject_id=advisory.pk,
            data={"advisory": advisory.pk, "revision": revision},
            key=f"advisory:{advisory.pk}:r{revision}",
        )
    return queued


def distribute_due(now: dt.datetime | None = None) -> int:
    """Catch up on advisories whose scheduled publication has come (the daily command runs it)."""
    now = now or timezone.now()
    total = 0
    for advisory in Advisory.objects.live().filter(published_at__gte=now - dt.timedelta(days=7)):
        total += distribute(advisory.pk, advisory.revision)
    return total


# --- acknowledgements --------------------------------------------------------------------------


def acknowledging_organisations(user: Any, advisory: Advisory) -> list[Organisation]:
    """The organisations on whose behalf ``user`` may acknowledge ``advisory``."""
    if not Advisory.objects.visible_to(user).filter(pk=advisory.pk, status=AdvisoryStatus.PUBLISHED).exists():
        return []
    candidates = Organisation.objects.filter(
        pk__in=OrganisationRole.objects.active()
        .filter(user=user, role__in=[OrganisationRoleType.SECURITY_CONTACT, OrganisationRoleType.ADMIN])
        .values("organisation_id")
    )
    targeted = advisory.targeted_organisations().filter(pk__in=candidates.values("pk"))
    return [org for org in targeted if can(user, Action.ADVISORY_ACKNOWLEDGE, org)]


@transaction.atomic
def acknowledge(
    *, actor: Any, advisory: Advisory, organisation: Organisation, status: str, comment: str
) -> Acknowledgement:
    if status not in AckStatus.values:
        raise ValidationError({"status": _("Choose received, handled or not affected.")})
    if organisation not in acknowledging_organisations(actor, advisory):
        raise PermissionDenied
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": _("The comment is too long (at most 2000 characters).")})
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # concurrent acks queue here
    ack = Acknowledgement.objects.filter(advisory=advisory, organisation=organisation).first()
    before = {"status": ack.status, "comment": ack.comment} if ack else None
    if ack is None:
        try:
            with transaction.atomic():
                ack = Acknowledgement.objects.create(
                    advisory=advisory, organisation=organisation, status=status, comment=comment, acknowledged_by=actor
                )
        except IntegrityError:
            ack = Acknowledgement.objects.get(advisory=advisory, organisation=organisation)
    ack.status, ack.comment, ack.acknowledged_by = status, comment, actor
    ack.save()
    audit_record(
        actor=actor,
        action="advisory.acknowledged",
        obj=advisory,
        organisation_id=organisation.pk,
        before=before,
        after={"status": status, "comment": comment},
    )
    return ack


def remind_unacknowledged(now: dt.datetime | None = None) -> int:
    """Remind members that have not acknowledged a critical advisory within ADVISORY_ACK_HOURS.
    Once per advisory and organisation (the outbox key), so running it twice sends nothing new."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=ack_hours())
    queued = 0
    advisories = Advisory.objects.live().filter(severity=Severity.CRITICAL, published_at__lte=cutoff)
    for advisory in advisories:
        acknowledged = set(advisory.acknowledgements.values_list("organisation_id", flat=True))
        missing = advisory.targeted_organisations().exclude(pk__in=acknowledged).values("pk")
        by_org: dict[int, list[Any]] = {}
        for role in security_contacts(missing):
            by_org.setdefault(role.organisation_id, []).append(role)
        named = set(advisory.audience_people.values_list("pk", flat=True))
        context = _mail_context(advisory)
        with transaction.atomic():
            for org_id, roles in by_org.items():
                for role in roles:
                    user = role.user
                    if advisory.tlp == TLP.RED and user.pk not in named:
                        continue  # RED: only the named people, even for a reminder
                    if not Advisory.objects.visible_to(user).filter(pk=advisory.pk).exists():
                        continue
                    queued += len(
                        mail_queue(
                            template="advisories/email/ack_reminder",
                            recipients=[user.email],
                            context={**context, "organisation": role.organisation, "hours": ack_hours()},
                            key=f"advisory-ack-reminder:{advisory.pk}:{org_id}",
                        )
                    )
    return queued


@dataclass
class AckRow:
    organisation: Organisation
    county: str
    network: str
    ack: Acknowledgement | None


@dataclass
class AckGroup:
    name: str
    targeted: int
    acknowledged: int

    @property
    def percent(self) -> int:
        return (self.acknowledged * 100) // self.targeted if self.targeted else 0


def ack_overview(advisory: Advisory) -> dict[str, Any]:
    """Who has answered: every targeted organisation, with rates per county and Diginettverk."""
    orgs = list(
        advisory.targeted_organisations()
        .select_related("municipality__county", "municipality__diginettverk", "address_municipality__county")
        .select_related("address_municipality__diginettverk")
        .order_by("name")
    )
    acks = {a.organisation_id: a for a in advisory.acknowledgements.select_related("acknowledged_by")}
    rows = []
    for org in orgs:
        municipality = getattr(org, "municipality", None) if hasattr(org, "municipality") else None
        place = municipality or org.address_municipality
        rows.append(
            AckRow(
                organisation=org,
                county=place.county.name if place else "–",
                network=place.diginettverk.name if place else "–",
                ack=acks.get(org.pk),
            )
        )

    def groups(key: str) -> list[AckGroup]:
        result: dict[str, AckGroup] = {}
        for row in rows:
            group = result.setdefault(getattr(row, key), AckGroup(getattr(row, key), 0, 0))
            group.targeted += 1
            group.acknowledged += row.ack is not None
        return sorted(result.values(), key=lambda g: g.name)

    total = AckGroup(str(_("All targeted members")), len(rows), sum(1 for r in rows if r.ack))
    return {
        "rows": rows,
        "missing": [r for r in rows if r.ack is None],
        "by_county": groups("county"),
        "by_network": groups("network"),
        "total": total,
    }


# --- CSAF import -------------------------------------------------------------------------------


@transaction.atomic
def csaf_import(*, actor: Any, data: bytes) -> Advisory:
    """Validate a CSAF 2.0 document and store it as an advisory draft (to be targeted, reviewed and
    published like our own). An invalid document raises ValidationError with the reason; nothing is
    stored."""
    if actor is not None:
        require(actor, Action.ADVISORY_MANAGE)
    try:
        imported = csaf.parse(csaf.load(data))
    except csaf.CsafError as exc:
        raise ValidationError(str(exc)) from None
    if Advisory.objects.filter(
        external_namespace=imported.namespace,
        tracking_id=csaf.local_tracking_id(imported),
        external_version=imported.version,
    ).exists():
        raise ValidationError(
            _("Version %(version)s of %(id)s is imported already.")
            % {"version": imported.version, "id": imported.tracking_id}
        )
    tracking_id = csaf.local_tracking_id(imported)
    if Advisory.objects.filter(tracking_id=tracking_id).exists():
        tracking_id = f"{tracking_id}-v{imported.version}"[:64]
        if Advisory.objects.filter(tracking_id=tracking_id).exists():
            raise ValidationError(_("%(id)s is imported already.") % {"id": imported.tracking_id})
    advisory = Advisory(
        tracking_id=tracking_id,
        title=imported.title,
        summary=imported.summary,
        body=imported.body,
        severity=imported.severity,
        cvss_vector=imported.cvss_vector,
        tlp=imported.tlp,
        affected_products="\n".join(imported.affected_products),
        recommended_actions=imported.recommended_actions,
        references="\n".join(imported.references),
        source=Source.CSAF_IMPORT,
        external_publisher=imported.publisher[:200],
        external_namespace=imported.namespace[:300],
        external_version=imported.version[:50],
        csaf_document=imported.document,
        author=actor,
        status=AdvisoryStatus.DRAFT,
    )
    advisory.save()
    audit_record(
        actor=actor,
        action="advisory.imported",
        obj=advisory,
        after={"publisher": imported.publisher, "id": imported.tracking_id, "version": imported.version},
    )
    return advisory


# --- security contacts -------------------------------------------------------------------------


def unanswered_counts(user: Any, org_ids: set[int]) -> dict[int, int]:
    """For each organisation: how many live advisories aimed at it, that ``user`` can see, it has not
    answered yet. A fixed number of queries however many organisations."""
    if not org_ids:
        return {}
    regions = regions_by_organisation(org_ids)
    advisories = list(Advisory.objects.visible_to(user).live().targeting(org_ids, regions).with_audience())
    answered = set(
        Acknowledgement.objects.filter(
            organisation_id__in=org_ids, advisory__in=[a.pk for a in advisories]
        ).values_list("organisation_id", "advisory_id")
    )
    return {
        org_id: sum(1 for a in advisories if (org_id, a.pk) not in answered and a.targets(org_id, region))
        for org_id, region in regions.items()
    }


def member_organisations() -> Any:
    """Organisations that are members (active, or asked to sign new terms)."""
    from memberships.choices import MembershipState

    return Organisation.objects.filter(
        membership__state__in=[MembershipState.ACTIVE, MembershipState.MUST_RESIGN, MembershipState.INVITED]
    )


def without_security_contact(queryset: Any = None) -> Any:
    queryset = member_organisations() if queryset is None else queryset
    has_contact = OrganisationRole.objects.active().filter(role=OrganisationRoleType.SECURITY_CONTACT)
    return queryset.exclude(pk__in=has_contact.values("organisation_id"))


@transaction.atomic
def contact_details_save(
    *, actor: Any, role: OrganisationRole, phone: str, available_24_7: bool
) -> SecurityContactDetails:
    require(actor, Action.SECURITY_CONTACTS_MANAGE, role.organisation)
    if role.role != OrganisationRoleType.SECURITY_CONTACT:
        raise ValidationError(_("Only a security contact has these details."))
    phone = " ".join((phone or "").split())
    digits = phone.replace(" ", "").removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise ValidationError({"phone": _("Enter a phone number with 8 to 15 digits, for example +47 22 33 44 55.")})
    details, _created = SecurityContactDetails.objects.update_or_create(
        role=role, defaults={"phone": phone, "available_24_7": available_24_7, "updated_by": actor}
    )
    audit_record(
        actor=actor,
        action="security_contact.details_saved",
        obj=details,
        organisation_id=role.organisation_id,
        after={"phone": phone, "available_24_7": available_24_7, "user_id": role.user_id},
    )
    return details


def remind_missing_contacts(now: dt.datetime | None = None) -> int:
    """Remind the administrators of members without a security contact, once per month (the key)."""
    now = now or timezone.now()
    period = timezone.localtime(now).strftime("%Y-%m")
    base = getattr(settings, "PORTAL_BASE_URL", "")
    queued = 0
    missing = without_security_contact()
    admins = (
        OrganisationRole.objects.active()
        .filter(organisation__in=missing, role=OrganisationRoleType.ADMIN)
        .select_related("user", "organisation")
    )
    with transaction.atomic():
        for role in admins:
            queued += len(
                mail_queue(
                    template="advisories/email/contact_missing",
                    recipients=[role.user.email],
                    context={
                        "organisation": role.organisation,
                        "url": base + reverse("advisories:contacts", args=[role.organisation_id]),
                    },
                    key=f"security-contact-missing:{role.organisation_id}:{period}",
                )
            )
    return queued


# --- threat picture ----------------------------------------------------------------------------


@transaction.atomic
def threat_picture_publish(*, actor: Any, title: str, body: str, change_note: str = "") -> ThreatPicture:
    require(actor, Action.ADVISORY_MANAGE)
    if not title.strip() or not body.strip():
        raise ValidationError(_("The threat picture needs a title and a text."))
    number = (ThreatPicture.objects.aggregate(n=Max("version"))["n"] or 0) + 1
    picture = ThreatPicture.objects.create(
        version=number, title=title.strip(), body=body, change_note=change_note.strip(), created_by=actor
    )
    audit_record(actor=actor, action="threat_picture.published", obj=picture, after={"version": number})
    return picture
