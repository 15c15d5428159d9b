"""Drafting, review by a second analyst, publication and corrections of advisories, and the threat
picture: the analysts' writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from advisories import cvss
from advisories.choices import TLP, AdvisoryStatus
from advisories.models import Advisory, AdvisoryRevision, ThreatPicture
from core.audit import audit_record
from core.permissions import Action, require

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
    advisory: Advisory = form.save(commit=False)
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
    if advisory.corrects is not None:
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
