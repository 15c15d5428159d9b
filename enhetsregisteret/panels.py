"""The register section of the organisation page: what Enhetsregisteret says, and open follow-ups."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.permissions import Action, can
from enhetsregisteret.models import FollowUp, Merger, RegisterEntry


def register_panel_section(request: HttpRequest, organisation: Any) -> tuple[str, dict[str, Any]] | None:
    entry = RegisterEntry.objects.filter(organisation=organisation).first()
    if entry is None:
        return None
    staff = can(request.user, Action.MEMBERSHIP_MANAGE, organisation)
    return "enhetsregisteret/partials/_org_register.html", {
        "entry": entry,
        "follow_ups": list(FollowUp.objects.open().filter(organisation=organisation)) if staff else [],
        "merged_into": Merger.objects.filter(old_organisation=organisation, withdrawn_at__isnull=True)
        .select_related("new_organisation")
        .first(),
        "may_manage": staff,
    }
