"""Security contacts: members without one, their details, and the monthly reminder to administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from advisories.models import SecurityContactDetails
from core.audit import audit_record
from core.mail import mail_queue
from core.permissions import Action, require
from core.roles import OrganisationRoleType
from organisations.models import Organisation, OrganisationRole


def member_organisations() -> Any:
    """Organisations whose membership is in force (``MEMBERSHIP_IN_FORCE``: advisories' audience)."""
    from memberships.choices import MEMBERSHIP_IN_FORCE

    return Organisation.objects.filter(membership__state__in=MEMBERSHIP_IN_FORCE)


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
    base = settings.PORTAL_BASE_URL
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
