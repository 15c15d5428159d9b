"""Incident reports: confidentiality (analysts and the reporting organisation only, others 404), the
access log, attachments (limits, storage outside the web root, safe download), triage and messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import OutboundEmail
from core.roles import OrganisationRoleType
from incidents.models import Incident, IncidentAccessLog, IncidentAttachment
from incidents.tests.conftest import REPORT, make_incident

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_member_reports_with_attachment(world: Any, people: dict[str, Any], client: Any, private_dir: Path) -> None:
    client.force_login(people["sec_a"], backend="accounts.backends.PortalBackend")
    url = reverse("incidents:report", args=[world.org_a.pk])
    assert client.get(url).status_code == 200
    files = [
        SimpleUploadedFile("logg.txt", b"2026-11-24 07:12 kryptering startet\n", "text/plain"),
        SimpleUploadedFile("skjerm.pdf", PDF, "application/pdf"),
    ]
    response = client.post(url, {**REPORT, "attachments": files})
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert incident.organisation == world.org_a and incident.status == "received" and incident.ongoing
    assert incident.personal_data == "yes" and incident.reference.startswith("HD-")
    stored = list(IncidentAttachment.objects.all())
    assert {a.original_name for a in stored} == {"logg.txt", "skjerm.pdf"}
    for attachment in stored:
        path = private_dir / attachment.stored_name
        assert path.read_bytes() and attachment.original_name not in str(path)
        assert not str(path).startswith(str(settings.STATIC_ROOT))
    assert OutboundEmail.objects.filter(key=f"incident-new:{incident.pk}:helsecert@nhn.no").exists()
    mail = OutboundEmail.objects.get(key__startswith="incident-new:")
    assert REPORT["what_happened"] not in mail.body_text  # content stays in the portal


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("stor.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "larger than"),
        ("falsk.pdf", b"<html><script>alert(1)</script>", "not a real"),
        ("skript.pdf", b"%PDF-1.4 /JavaScript (app.alert(1))", "scripts"),
        ("skjult.pdf", b"%PDF-1.4 << /S /J#61vaScript /J#53 (app.alert(1)) >>", "scripts"),  # #hh name escapes
        ("vedlegg.pdf", b"%PDF-1.4 << /Type /#45mbeddedFile >>", "scripts"),
        ("side.html", b"<html></html>", "only these file types"),
        ("bilde.svg", b"<svg onload=alert(1)>", "only these file types"),
        ("tekst.txt", b"\xff\xfe\x00bin\x00", "not UTF-8"),
        ("tekst.txt", b"<!doctype html><script>x</script>", "not plain text"),
        ("tom.txt", b"", "empty"),
        ("arkiv.zip", b"PK\x03\x04", "only these file types"),
    ],
)
def test_attachment_limits(
    world: Any, people: dict[str, Any], client: Any, name: str, content: bytes, reason: str
) -> None:
    client.force_login(people["sec_a"], backend="accounts.backends.PortalBackend")
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    response = client.post(reverse("incidents:report", args=[world.org_a.pk]), {**REPORT, "attachments": [upload]})
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Incident.objects.exists() and not IncidentAttachment.objects.exists()


def test_too_many_files(world: Any, people: dict[str, Any], client: Any) -> None:
    client.force_login(people["sec_a"], backend="accounts.backends.PortalBackend")
    uploads = [SimpleUploadedFile(f"f{i}.txt", b"x", "text/plain") for i in range(6)]
    response = client.post(reverse("incidents:report", args=[world.org_a.pk]), {**REPORT, "attachments": uploads})
    assert response.status_code == 400 and not Incident.objects.exists()


def test_file_names_are_cleaned(world: Any) -> None:
    from incidents.storage import clean_name

    assert clean_name("../../etc/passwd.txt") == "passwd.txt"
    assert clean_name("rapport\u202egnp.txt") == "rapportgnp.txt"
    assert clean_name("a\x00b.txt") == "ab.txt"
    assert len(clean_name("x" * 300 + ".pdf")) == 100 and clean_name("x" * 300 + ".pdf").endswith(".pdf")


def test_confidentiality_and_access_log(world: Any, people: dict[str, Any], client: Any) -> None:
    incident = make_incident(world, people["sec_a"])
    url = reverse("incidents:detail", args=[incident.pk])
    outcomes = {}
    for persona in [
        "sec_a",
        "member_a",
        "admin_a",
        "admin_b",
        "coordinator_a",
        "membership_manager",
        "customer_centre",
        "system_admin",
        "superuser",
        "cert_analyst",
    ]:
        client.force_login(world[persona], backend="accounts.backends.PortalBackend")
        outcomes[persona] = client.get(url).status_code
        listing = client.get(reverse("incidents:list")).content.decode()
        assert (incident.title in listing) == (outcomes[persona] == 200), persona
    assert {p for p, s in outcomes.items() if s == 200} == {"sec_a", "member_a", "admin_a", "cert_analyst"}
    assert all(s == 404 for p, s in outcomes.items() if s != 200)
    # Exactly one log row per successful view, none for refused ones.
    log = list(IncidentAccessLog.objects.order_by("at", "pk").values_list("user__email", "action"))
    assert [email for email, _action in log] == [
        world[p].email for p in ["sec_a", "member_a", "admin_a", "cert_analyst"]
    ]
    # A's administrator sees who accessed, CERT included; B's admin and A's technical contact do not.
    client.force_login(world["admin_a"], backend="accounts.backends.PortalBackend")
    page = client.get(reverse("incidents:access_log", args=[world.org_a.pk])).content.decode()
    assert world["cert_analyst"].email in page
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    assert client.get(reverse("incidents:access_log", args=[world.org_a.pk])).status_code == 403
    client.force_login(world["admin_b"], backend="accounts.backends.PortalBackend")
    assert client.get(reverse("incidents:access_log", args=[world.org_a.pk])).status_code == 404


def test_download_is_checked_logged_and_safe(world: Any, people: dict[str, Any], client: Any) -> None:
    from incidents import services, storage

    incident = make_incident(world, people["sec_a"])
    services.incident_message(
        actor=people["sec_a"], incident=incident, body="Skjermbilde", files=[storage.check("bilde.pdf", PDF)]
    )
    attachment = IncidentAttachment.objects.get()
    url = reverse("incidents:attachment", args=[incident.pk, attachment.pk])
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    response = client.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Disposition"] == 'attachment; filename="bilde.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert IncidentAccessLog.objects.filter(action="download", user=world["cert_analyst"]).count() == 1
    client.force_login(world["admin_b"], backend="accounts.backends.PortalBackend")
    assert client.get(url).status_code == 404
    # An attachment id of another incident through this incident's URL: 404.
    other = make_incident(world, world["admin_b"], org=world.org_b)
    client.force_login(people["sec_a"], backend="accounts.backends.PortalBackend")
    assert client.get(reverse("incidents:attachment", args=[other.pk, attachment.pk])).status_code == 404


def test_triage_messages_and_first_response(world: Any, people: dict[str, Any], client: Any) -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        incident = make_incident(world, people["sec_a"])
    client.force_login(people["sec_a"], backend="accounts.backends.PortalBackend")
    assert client.post(reverse("incidents:status", args=[incident.pk]), {"status": "closed"}).status_code == 403
    client.post(reverse("incidents:message", args=[incident.pk]), {"body": "Flere servere er rammet nå."})
    incident.refresh_from_db()
    assert incident.first_response_at is None  # the member's own message is no response
    with time_machine.travel(start + dt.timedelta(minutes=42), tick=False):
        # The analyst logs in when she answers: a staff session idle for 42 minutes would have ended.
        client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
        client.post(reverse("incidents:message", args=[incident.pk]), {"body": "Vi ringer deg nå."})
    incident.refresh_from_db()
    assert incident.status == "in_progress" and incident.time_to_first_response == dt.timedelta(minutes=42)
    assert incident.first_response_by == world["cert_analyst"]
    assert OutboundEmail.objects.filter(to=people["sec_a"].email, key__startswith="incident-message:").exists()
    client.post(reverse("incidents:status", args=[incident.pk]), {"status": "closed"})
    client.post(reverse("incidents:status", args=[incident.pk]), {"status": "bogus"})
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.closed_at is not None
    # A closed incident takes no more messages from the member.
    client.force_login(people["sec_a"], backend="accounts.backends.PortalBackend")
    response = client.post(reverse("incidents:message", args=[incident.pk]), {"body": "Hei igjen"})
    assert response.status_code == 400 and incident.messages.count() == 2


def test_future_discovery_time_is_refused(world: Any, people: dict[str, Any], client: Any) -> None:
    client.force_login(people["sec_a"], backend="accounts.backends.PortalBackend")
    response = client.post(
        reverse("incidents:report", args=[world.org_a.pk]), {**REPORT, "discovered_at": "2099-01-01T10:00"}
    )
    assert response.status_code == 400 and not Incident.objects.exists()


def test_pages_have_bounded_queries(
    world: Any, people: dict[str, Any], client: Any, django_assert_max_num_queries: Any
) -> None:
    from incidents import services, storage

    for _ in range(30):
        incident = make_incident(world, people["sec_a"])
    for i in range(10):
        services.incident_message(
            actor=people["sec_a"], incident=incident, body=f"Melding {i}", files=[storage.check(f"l{i}.txt", b"logg")]
        )
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("incidents:list")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    client.force_login(world["admin_a"], backend="accounts.backends.PortalBackend")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("incidents:access_log", args=[world.org_a.pk])).status_code == 200


def test_a_form_shown_again_with_errors_is_a_logged_view(world: Any, people: dict[str, Any], client: Any) -> None:
    """A message or status form with an error shows the whole incident again: that view is logged too, so
    nobody can read an incident without a trace by posting an empty message."""
    incident = make_incident(world, people["sec_a"])
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    response = client.post(reverse("incidents:message", args=[incident.pk]), {"body": ""})
    assert response.status_code == 400
    assert incident.what_happened in response.content.decode()
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    response = client.post(reverse("incidents:status", args=[incident.pk]), {"status": "no-such-status"})
    assert response.status_code == 400
    log = list(IncidentAccessLog.objects.order_by("at", "pk").values_list("user__email", "action"))
    assert log == [(world["member_a"].email, "view"), (world["cert_analyst"].email, "view")]


def test_reporter_and_security_contacts_see_the_access_log(world: Any, people: dict[str, Any], client: Any) -> None:
    """Issue 20: the reporter sees one incident's access log, the security contacts the member's whole
    log; a colleague with another role gets 403, another organisation 404."""
    from organisations.tests.factories import RoleFactory, UserFactory

    reporter = world["member_a"]  # technical contact of A: neither administrator nor security contact
    incident = make_incident(world, reporter)
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    client.get(reverse("incidents:detail", args=[incident.pk]))
    one_log = reverse("incidents:incident_access_log", args=[incident.pk])

    client.force_login(reporter, backend="accounts.backends.PortalBackend")
    detail = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert one_log in detail
    page = client.get(one_log)
    assert page.status_code == 200
    assert world["cert_analyst"].email in page.content.decode()
    # The whole member's log is not the reporter's: 403.
    assert client.get(reverse("incidents:access_log", args=[world.org_a.pk])).status_code == 403

    client.force_login(people["sec_a"], backend="accounts.backends.PortalBackend")
    assert client.get(one_log).status_code == 200
    assert client.get(reverse("incidents:access_log", args=[world.org_a.pk])).status_code == 200
    listing = client.get(reverse("incidents:list")).content.decode()
    assert reverse("incidents:access_log", args=[world.org_a.pk]) in listing

    colleague = UserFactory(email="tekniker@ringsaker.example.no")
    RoleFactory(user=colleague, organisation=world.org_a, role=OrganisationRoleType.TECHNICAL_CONTACT)
    client.force_login(colleague, backend="accounts.backends.PortalBackend")
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    assert one_log not in client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert client.get(one_log).status_code == 403

    client.force_login(world["customer_centre"], backend="accounts.backends.PortalBackend")
    assert client.get(one_log).status_code == 404


def test_security_menu_offers_report_an_incident(world: Any, client: Any) -> None:
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    page = client.get(reverse("advisories:list")).content.decode()
    assert f'href="{reverse("incidents:list")}"' in page
    assert "Report an incident" in page
    listing = client.get(reverse("incidents:list")).content.decode()
    assert reverse("incidents:report", args=[world.org_a.pk]) in listing
    client.force_login(world["customer_centre"], backend="accounts.backends.PortalBackend")
    assert "Report an incident" not in client.get(reverse("advisories:list")).content.decode()


@pytest.mark.parametrize(("params", "shown"), [({}, 2), ({"status": "closed"}, 1), ({"status": "received"}, 1),
                                               ({"status": "nonsense"}, 2)])  # fmt: skip
def test_the_list_filters_by_status_and_leaves_out_an_unknown_one(
    world: Any, people: dict[str, Any], client: Any, params: dict[str, str], shown: int
) -> None:
    make_incident(world, people["sec_a"])
    Incident.objects.filter(pk=make_incident(world, people["sec_a"]).pk).update(status="closed")
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    response = client.get(reverse("incidents:list"), params)
    assert response.status_code == 200 and len(response.context["page"].object_list) == shown
    assert response.context["status"] == (params.get("status", "") if shown == 1 else "")
