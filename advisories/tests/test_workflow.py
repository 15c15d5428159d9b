"""Drafting, review by a second analyst, publication, corrections as revisions, distribution."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from advisories import services
from advisories.choices import AdvisoryStatus
from advisories.models import Advisory, AdvisoryRevision
from core.models import AuditEvent, OutboundEmail

FORM = {
    "title": "Kritisk sårbarhet i EPJ-integrasjon",
    "summary": "Angripere kan lese meldinger.",
    "body": "## Hva\n\nSårbarhet i <script>alert(1)</script> meldingstjeneren.",
    "severity": "critical",
    "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "affected_products": "Meldingstjener 4.2\nMeldingstjener 4.3",
    "affected_services": "Adresseregisteret",
    "recommended_actions": "- Oppdater til 4.4",
    "references": "https://www.nhn.no/varsel/1",
    "tlp": "AMBER",
}


def _create(client: Any, world: Any, **extra: Any) -> Advisory:
    data = {**FORM, "audience_counties": [world.municipality_a.county.pk], **extra}
    response = client.post(reverse("advisories:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Advisory.objects.latest("pk")


def test_draft_review_publish_and_correct(
    world: Any, sec: dict[str, Any], client: Any, run_worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    analyst, second = world["cert_analyst"], sec["analyst2"]
    client.force_login(analyst, backend="accounts.backends.PortalBackend")
    advisory = _create(client, world)
    assert advisory.status == AdvisoryStatus.DRAFT and advisory.author == analyst
    assert advisory.tracking_id.startswith(f"NHN-{timezone.localdate().year}-")
    # A draft is invisible to members.
    assert not Advisory.objects.visible_to(sec["sec_a"]).filter(pk=advisory.pk).exists()
    client.post(reverse("advisories:submit", args=[advisory.pk]))
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.IN_REVIEW
    # The author cannot approve.
    response = client.post(reverse("advisories:approve", args=[advisory.pk]), follow=True)
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.IN_REVIEW
    assert "second CERT analyst" in response.content.decode() or "annen CERT-analytiker" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.advisory_approve(actor=analyst, advisory=advisory)
    # The second analyst approves: published, revision 1, mail to org A's security contact only.
    client.force_login(second, backend="accounts.backends.PortalBackend")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("advisories:approve", args=[advisory.pk]))
    run_worker()
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.PUBLISHED and advisory.revision == 1 and advisory.approved_by == second
    assert Advisory.objects.visible_to(sec["sec_a"]).filter(pk=advisory.pk).exists()
    assert not Advisory.objects.visible_to(sec["sec_b"]).filter(pk=advisory.pk).exists()
    mails = list(OutboundEmail.objects.filter(key__startswith=f"advisory:{advisory.pk}:"))
    assert [m.to for m in mails] == [sec["sec_a"].email]
    assert mails[0].status == OutboundEmail.Status.SENT
    assert FORM["summary"] not in mails[0].body_text  # AMBER: no content in the e-mail
    assert AuditEvent.objects.filter(action="advisory.published", object_id=str(advisory.pk)).count() == 1
    # The sanitised body: no script survives.
    page = client.get(reverse("advisories:detail", args=[advisory.pk])).content.decode()
    assert "<script>alert" not in page

    # A correction: a draft of its own, reviewed again, then the next revision; the old one is kept.
    client.force_login(analyst, backend="accounts.backends.PortalBackend")
    response = client.post(reverse("advisories:correct", args=[advisory.pk]))
    correction = Advisory.objects.get(corrects=advisory)
    assert response["Location"] == reverse("advisories:edit", args=[correction.pk])
    data = {**FORM, "title": "Kritisk sårbarhet i EPJ-integrasjon (rettet)", "change_note": "Ny versjon 4.4.1"}
    data["audience_counties"] = [world.municipality_a.county.pk]
    assert client.post(reverse("advisories:edit", args=[correction.pk]), data).status_code == 302
    client.post(reverse("advisories:submit", args=[correction.pk]))
    # Members still see the published text while the correction waits.
    assert Advisory.objects.visible_to(sec["sec_a"]).get(pk=advisory.pk).title == FORM["title"]
    assert not Advisory.objects.visible_to(sec["sec_a"]).filter(pk=correction.pk).exists()
    client.force_login(second, backend="accounts.backends.PortalBackend")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("advisories:approve", args=[correction.pk]))
    run_worker()
    advisory.refresh_from_db()
    assert advisory.revision == 2 and advisory.title.endswith("(rettet)")
    assert not Advisory.objects.filter(pk=correction.pk).exists()
    revisions = list(AdvisoryRevision.objects.filter(advisory=advisory).order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].content["title"] == FORM["title"] and revisions[1].change_note == "Ny versjon 4.4.1"
    assert OutboundEmail.objects.filter(key__startswith=f"advisory:{advisory.pk}:r2").count() == 1
    # An old revision is readable by analysts.
    assert client.get(reverse("advisories:revision", args=[advisory.pk, 1])).status_code == 200


def test_published_advisory_cannot_be_edited(world: Any, sec: dict[str, Any], client: Any) -> None:
    from advisories.tests.conftest import make_advisory

    advisory = make_advisory(tlp="GREEN", audience_all=True)
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    response = client.post(reverse("advisories:edit", args=[advisory.pk]), {**FORM, "title": "Endret"})
    assert response.status_code == 302
    advisory.refresh_from_db()
    assert advisory.title != "Endret"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cvss_vector", "CVSS:3.1/AV:N/AC:L"),
        ("cvss_vector", "CVSS:3.1/AV:N/AC:L/PR:N"),
        ("cvss_vector", "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        ("references", "javascript:alert(1)"),
        ("tlp", "PURPLE"),
        ("tlp", ""),
        ("title", ""),
        ("people_emails", "nobody@nowhere.example"),
        ("organisation_numbers", "999999999"),
    ],
)
def test_bad_input_is_refused(world: Any, sec: dict[str, Any], client: Any, field: str, value: str) -> None:
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    response = client.post(reverse("advisories:create"), {**FORM, field: value})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not Advisory.objects.exists()


def test_review_rules(world: Any, sec: dict[str, Any]) -> None:
    from advisories.tests.conftest import make_advisory

    red = make_advisory(tlp="RED", published=False, author=world["cert_analyst"])
    with pytest.raises(ValidationError):
        services.advisory_submit(actor=world["cert_analyst"], advisory=red)  # RED without named people
    strict = make_advisory(tlp="AMBER+STRICT", published=False, people=[sec["outsider"]])
    with pytest.raises(ValidationError):
        services.advisory_submit(actor=world["cert_analyst"], advisory=strict)  # needs organisations
    unknown = make_advisory(tlp="", published=False)
    with pytest.raises(ValidationError):
        services.advisory_submit(actor=world["cert_analyst"], advisory=unknown)
    with pytest.raises(PermissionDenied):
        services.advisory_submit(actor=world["membership_manager"], advisory=unknown)


def test_return_to_author(world: Any, sec: dict[str, Any], client: Any) -> None:
    from advisories.tests.conftest import make_advisory

    advisory = make_advisory(tlp="GREEN", audience_all=True, published=False, author=world["cert_analyst"])
    services.advisory_submit(actor=world["cert_analyst"], advisory=advisory)
    client.force_login(sec["analyst2"], backend="accounts.backends.PortalBackend")
    client.post(reverse("advisories:return", args=[advisory.pk]), {"reason": "Legg til CVE-nummer."})
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.DRAFT
    assert AuditEvent.objects.get(action="advisory.returned").reason == "Legg til CVE-nummer."


def test_scheduled_publication_is_sent_when_due(
    world: Any, sec: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    from advisories.tests.conftest import make_advisory

    start = timezone.now()
    advisory = make_advisory(
        tlp="GREEN",
        counties=[world.municipality_a.county],
        published=False,
        author=world["cert_analyst"],
        publish_at=start + dt.timedelta(hours=3),
    )
    services.advisory_submit(actor=world["cert_analyst"], advisory=advisory)
    with django_capture_on_commit_callbacks(execute=True):
        services.advisory_approve(actor=sec["analyst2"], advisory=advisory)
    run_worker()
    assert not Advisory.objects.visible_to(sec["sec_a"]).filter(pk=advisory.pk).exists()
    assert not OutboundEmail.objects.filter(key__startswith=f"advisory:{advisory.pk}:").exists()
    with time_machine.travel(start + dt.timedelta(hours=3, minutes=1)):
        assert Advisory.objects.visible_to(sec["sec_a"]).filter(pk=advisory.pk).exists()
        assert services.distribute_due() == 1
        assert services.distribute_due() == 0  # once
