"""What each of the user's organisations should do next, shown on the front page.

Each domain app contributes its steps here as it arrives (membership terms to sign, services to
re-sign, a connection to register); dashboards reads every app and nothing imports dashboards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.roles import OrganisationRoleType
from organisations.models import Organisation


@dataclass(frozen=True)
class NextStep:
    text: Any
    url: str
    urgent: bool = False


def next_steps(organisation: Organisation, roles_present: set[str]) -> list[NextStep]:
    """The open tasks of one organisation, most important first. ``roles_present`` is the set of
    role types that someone holds in the organisation."""
    url = reverse("organisations:organisation_detail", args=[organisation.pk])
    steps = []
    if OrganisationRoleType.SIGNATORY not in roles_present:
        steps.append(NextStep(_("Register who may sign for the organisation (contact NHN)"), url, urgent=True))
    if OrganisationRoleType.SECURITY_CONTACT not in roles_present:
        steps.append(NextStep(_("Add a security contact for alerts from HelseCERT and KommuneCERT"), url))
    if OrganisationRoleType.TECHNICAL_CONTACT not in roles_present:
        steps.append(NextStep(_("Add a technical contact for the Helsenett connection"), url))
    return steps
