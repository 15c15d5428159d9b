"""Who outside an organisation opened its sensitive data, who was refused, and what was exported.

The right of access (Normen, the health sector's code of conduct for information security; GDPR art. 15): an
organisation's administrators may see who at NHN — and any other outsider, such as a regional coordinator —
opened the organisation's incidents, connections, contacts and agreements. Each such opening is an audit event
(``data.viewed``) in the tamper-evident trail, with the client address and the request id like every event made
during a request. A person's own organisation is not logged: members opening their own data is their business
(NHN's staff are logged even in an organisation where they also hold a role).

Repeated openings of the same thing by the same person within ``REPEAT_WINDOW`` are one event (a page that reloads
itself, or Back and Forward, says nothing new), so the trail stays readable and the chain's lock is not taken on
every poll. Refusals (``access.denied``, a 403 on an object of a known organisation) and exports
(``data.exported``) are recorded the same way.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.permissions import effective_staff_role, org_roles

VIEWED = "data.viewed"
DENIED = "access.denied"
EXPORTED = "data.exported"
ACCESS_ACTIONS = (VIEWED, DENIED)
REPEAT_WINDOW = 15 * 60  # seconds


class DataKind(models.TextChoices):
    """What kind of sensitive data was opened: the filter on the access log."""

    INCIDENT = "incident", _("Incident")
    CONNECTION = "connection", _("Connection")
    CONTACTS = "contacts", _("Contacts")
    AGREEMENT = "agreement", _("Agreement")


def _first_time(key: str) -> bool:
    """True the first time ``key`` is seen within the window (cache.add is atomic on Redis and locmem)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return bool(cache.add(f"access-log:{digest}", 1, REPEAT_WINDOW))


def _organisation_id(obj: Any) -> int | None:
    if hasattr(obj, "org_number"):
        return int(obj.pk)
    value = getattr(obj, "organisation_id", None)
    return int(value) if value is not None else None


def record_view(user: Any, obj: Any, *, kind: DataKind, label: str) -> None:
    """Record that ``user`` opened ``obj`` (of an organisation) unless they hold a role in that organisation.

    ``label`` names what was opened in words the organisation recognises ("Incident HC-2026-0012"); it is shown
    on the organisation's access log. Call it after the permission check, so only real openings count.
    """
    organisation_id = _organisation_id(obj)
    if organisation_id is None or not getattr(user, "is_authenticated", False):
        return
    if not effective_staff_role(user) and org_roles(user, obj):
        return  # the organisation's own people (NHN's staff are recorded even where they also hold a role)
    if not _first_time(f"{VIEWED}:{user.pk}:{obj._meta.label_lower}:{obj.pk}"):
        return
    audit_record(
        actor=user,
        action=VIEWED,
        obj=obj,
        organisation_id=organisation_id,
        after={"kind": str(kind), "label": label[:200]},
    )


def record_denied(user: Any, obj: Any, *, action: str, path: str) -> None:
    """Record a refusal (403) of ``action`` on ``obj``: who tried what, on which organisation's object."""
    if not getattr(user, "is_authenticated", False) or obj is None:
        return
    organisation_id = _organisation_id(obj)
    if not _first_time(f"{DENIED}:{user.pk}:{action}:{obj._meta.label_lower}:{obj.pk}"):
        return
    audit_record(
        actor=user,
        action=DENIED,
        obj=obj,
        organisation_id=organisation_id,
        after={"action": action, "path": path[:200]},
    )


def record_export(user: Any, *, what: str, rows: int, organisation_id: int | None = None) -> None:
    """Record an export (a CSV or spreadsheet of the portal's data): who, what, how many rows."""
    audit_record(
        actor=user,
        action=EXPORTED,
        obj=None,
        object_type=what,
        organisation_id=organisation_id,
        after={"what": what, "rows": rows},
    )
