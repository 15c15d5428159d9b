"""The security section of the organisation page: security contacts (flagged when missing) and the
advisories for this member that the viewer may see, with the member's answers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from advisories.models import Acknowledgement, Advisory
from core.permissions import Action, can
from core.roles import OrganisationRoleType
from organisations.models import OrganisationRole

PANEL_ADVISORIES = 10


def security_panel(request: HttpRequest, organisation: Any) -> tuple[str, dict[str, Any]]:
    user = request.user
    may_view_contacts = can(user, Action.SECURITY_CONTACTS_VIEW, organisation)
    contacts = list(
        OrganisationRole.objects.active()
        .filter(organisation=organisation, role=OrganisationRoleType.SECURITY_CONTACT)
        .select_related("user", "security_details")
        .order_by("user__full_name")
    )
    advisories = list(
        Advisory.objects.visible_to(user)
        .live()
        .targeting({organisation.pk})
        .order_by("-published_at", "-pk")[:PANEL_ADVISORIES]
    )
    acks = {
        a.advisory_id: a
        for a in Acknowledgement.objects.filter(organisation=organisation, advisory__in=[a.pk for a in advisories])
    }
    rows = [(advisory, acks.get(advisory.pk)) for advisory in advisories]
    return "advisories/partials/_org_panel.html", {
        "may_view_contacts": may_view_contacts,
        "contacts": contacts if may_view_contacts else [],
        "missing_contact": not contacts,
        "rows": rows,
        "may_manage_contacts": can(user, Action.SECURITY_CONTACTS_MANAGE, organisation),
    }
