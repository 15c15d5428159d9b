"""Members' acknowledgements of advisories, reminders to answer critical ones, the analysts' overview
and each organisation's unanswered count (the front page's next step)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advisories.choices import TLP, AckStatus, AdvisoryStatus, Severity
from advisories.models import Acknowledgement, Advisory
from advisories.regions import regions_by_organisation
from advisories.services.distribution import _mail_context, security_contacts
from core.audit import audit_record
from core.mail import mail_queue
from core.permissions import Action, can
from core.roles import OrganisationRoleType
from organisations.models import Organisation, OrganisationRole


def ack_hours() -> int:
    return settings.ADVISORY_ACK_HOURS


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
        org_id: sum(1 for a in advisories if (org_id, a.pk) not in answered and a.targets(org_id, regions[org_id]))
        if org_id in regions
        else 0  # not a member in force: in no advisory's audience
        for org_id in org_ids
    }
