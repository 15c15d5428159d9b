"""Incident reports in the authorization matrix (issue 8): only CERT analysts and the reporting
organisation's people see an incident; everyone else gets 404, other NHN staff included."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from conftest import World
from tests.matrix_common import TARGETS, Route, org_action, org_id, signed_in

OWN = {("member_a", "A"), ("admin_a", "A"), ("admin_b", "B")}
ADMINS = {("admin_a", "A"), ("admin_b", "B")}


def seed_world(world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    from incidents import services, storage
    from incidents.models import IncidentAttachment

    incidents = {}
    for target, org, reporter in (("A", world.org_a, world["admin_a"]), ("B", world.org_b, world["admin_b"])):
        data = {
            "title": f"Phishing mot ansatte ({target})",
            "what_happened": "Falske innloggingssider.",
            "discovered_at": timezone.now() - dt.timedelta(hours=1),
            "affected_systems": "E-post",
            "personal_data": "unknown",
            "health_data": "no",
            "ongoing": False,
            "contact_name": reporter.full_name,
            "contact_phone": "+47 22 33 44 55",
            "contact_email": reporter.email,
        }
        incident = services.incident_report(actor=reporter, organisation=org, data=data, files=[])
        message = services.incident_message(actor=reporter, incident=incident, body="Logg vedlagt.", files=[])
        # One fixed file per target, written once: the matrix seeds its world for every test.
        stored = f"matrixattachment{target}"
        path = storage.path_of(stored)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"logg")
        IncidentAttachment.objects.create(
            incident=incident, message=message, original_name="logg.txt", stored_name=stored,
            content_type="text/plain", size=4, sha256="0" * 64, uploaded_by=reporter, created_at=timezone.now(),
        )  # fmt: skip
        incidents[target] = incident
    world.extra["incidents"] = incidents


def _incident(world: World, target: str) -> int:
    return world.extra["incidents"][target].pk if target in ("A", "B") else 999_999


def _sees(role: str, target: str) -> bool:
    return target != "missing" and (role == "cert_analyst" or (role, target) in OWN)


def _attachment_url(world: World, target: str) -> str:
    if target in ("A", "B"):
        incident = world.extra["incidents"][target]
        return reverse("incidents:attachment", args=[incident.pk, incident.attachments.get().pk])
    return reverse("incidents:attachment", args=[999_999, 999_999])


def _status(role: str, target: str) -> Any:
    if not _sees(role, target):
        return 404
    return 400 if role == "cert_analyst" else 403


ROUTES: dict[str, Route] = {
    "incidents:list": Route(lambda w, t: reverse("incidents:list"), signed_in(lambda r, t: 200)),
    "incidents:report": Route(
        lambda w, t: reverse("incidents:report", args=[org_id(w, t)]),
        org_action(lambda r, t: (r, t) in OWN),
        targets=TARGETS,
    ),
    "incidents:access_log": Route(
        lambda w, t: reverse("incidents:access_log", args=[org_id(w, t)]),
        org_action(lambda r, t: r == "cert_analyst" or (r, t) in ADMINS),
        targets=TARGETS,
    ),
    "incidents:detail": Route(
        lambda w, t: reverse("incidents:detail", args=[_incident(w, t)]),
        signed_in(lambda r, t: 200 if _sees(r, t) else 404),
        targets=TARGETS,
    ),
    # One incident's access log: its reporter (admin_a/admin_b reported A/B), the member's administrators
    # and security contacts, the analysts; member_a sees incident A but did not report it: 403.
    "incidents:incident_access_log": Route(
        lambda w, t: reverse("incidents:incident_access_log", args=[_incident(w, t)]),
        signed_in(lambda r, t: (200 if r == "cert_analyst" or (r, t) in ADMINS else 403) if _sees(r, t) else 404),
        targets=TARGETS,
    ),
    "incidents:message": Route(
        lambda w, t: reverse("incidents:message", args=[_incident(w, t)]),
        signed_in(lambda r, t: 400 if _sees(r, t) else 404),
        method="post",
        targets=TARGETS,
    ),
    "incidents:status": Route(
        lambda w, t: reverse("incidents:status", args=[_incident(w, t)]),
        signed_in(_status),
        method="post",
        targets=TARGETS,
    ),
    "incidents:attachment": Route(
        _attachment_url, signed_in(lambda r, t: 200 if _sees(r, t) else 404), targets=TARGETS
    ),
}
