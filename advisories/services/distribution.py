"""Distribution of published advisories: who is e-mailed (the audience ``Advisory.objects.visible_to``
and ``Advisory.targeted_organisations`` decide), the e-mail itself, and what approval set in motion."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from advisories.choices import TLP, TLP_MAIL_CONTENT_ALLOWED, AdvisoryStatus
from advisories.models import Advisory
from core.events import EventType, emit
from core.mail import mail_queue
from core.roles import OrganisationRoleType
from organisations.models import Organisation, OrganisationRole


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


@dataclass(frozen=True)
class DistributionSummary:
    """What approving an advisory set in motion: how many people it is e-mailed to, and how many of the
    organisations it reaches have no security contact to e-mail (they read it on the portal only)."""

    recipients: int
    organisations: int
    without_contact: int
    scheduled_for: dt.datetime | None


def distribution_summary(advisory: Advisory) -> DistributionSummary:
    """The audience of a published advisory as distribution sees it (the same rule: ``advisory_recipients``)."""
    targeted = advisory.targeted_organisations() if advisory.tlp != TLP.RED else Organisation.objects.none()
    has_contact = OrganisationRole.objects.active().filter(role=OrganisationRoleType.SECURITY_CONTACT)
    published_at = advisory.published_at
    return DistributionSummary(
        recipients=len(advisory_recipients(advisory)),
        organisations=targeted.count(),
        without_contact=targeted.exclude(pk__in=has_contact.values("organisation_id")).count(),
        scheduled_for=published_at if published_at and published_at > timezone.now() else None,
    )


def _mail_context(advisory: Advisory) -> dict[str, Any]:
    base = settings.PORTAL_BASE_URL
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
    if advisory.published_at is None or advisory.published_at > timezone.now():
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
