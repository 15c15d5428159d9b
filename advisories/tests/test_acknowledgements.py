"""Acknowledgements per member, reminders for critical advisories, and the analysts' overview."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from advisories import services
from advisories.models import Acknowledgement
from advisories.tests.conftest import make_advisory
from core.models import AuditEvent, OutboundEmail
from memberships.choices import MembershipState
from memberships.models import Membership


def test_security_contact_acknowledges(world: Any, sec: dict[str, Any], client: Any) -> None:
    advisory = make_advisory(tlp="AMBER", counties=[world.municipality_a.county])
    client.force_login(sec["sec_a"], backend="accounts.backends.PortalBackend")
    page = client.get(reverse("advisories:detail", args=[advisory.pk])).content.decode()
    assert f'action="/security/advisories/{advisory.pk}/acknowledge/"' in page
    response = client.post(
        reverse("advisories:acknowledge", args=[advisory.pk]),
        {"organisation": world.org_a.pk, "status": "handled", "comment": "Oppdatert alle servere."},
    )
    assert response.status_code == 302
    ack = Acknowledgement.objects.get(advisory=advisory, organisation=world.org_a)
    assert ack.status == "handled" and ack.acknowledged_by == sec["sec_a"]
    # Changing the answer updates the one row.
    client.post(
        reverse("advisories:acknowledge", args=[advisory.pk]),
        {"organisation": world.org_a.pk, "status": "not_affected"},
    )
    assert Acknowledgement.objects.get().status == "not_affected"
    assert AuditEvent.objects.filter(action="advisory.acknowledged").count() == 2


def test_who_may_acknowledge(world: Any, sec: dict[str, Any], client: Any) -> None:
    advisory = make_advisory(tlp="GREEN", counties=[world.municipality_a.county])
    # A technical contact sees it but may not answer for the organisation: 403.
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    assert client.post(reverse("advisories:acknowledge", args=[advisory.pk]), {"status": "received"}).status_code == 403
    # B's contact sees a GREEN advisory but B is not targeted: 403, and no answer for A can be forged.
    client.force_login(sec["sec_b"], backend="accounts.backends.PortalBackend")
    response = client.post(
        reverse("advisories:acknowledge", args=[advisory.pk]), {"organisation": world.org_a.pk, "status": "received"}
    )
    assert response.status_code == 403
    # A's admin may answer, but not with a made-up status or for org B.
    client.force_login(world["admin_a"], backend="accounts.backends.PortalBackend")
    for data in (
        {"organisation": world.org_a.pk, "status": "pwned"},
        {"organisation": world.org_b.pk, "status": "received"},
    ):
        assert client.post(reverse("advisories:acknowledge", args=[advisory.pk]), data).status_code == 400
    assert not Acknowledgement.objects.exists()


def test_reminders_for_critical_advisories(world: Any, sec: dict[str, Any], settings: Any) -> None:
    settings.ADVISORY_ACK_HOURS = 24
    start = timezone.now()
    critical = make_advisory(
        tlp="AMBER", severity="critical", counties=[world.municipality_a.county, world.municipality_b.county]
    )
    high = make_advisory(tlp="AMBER", severity="high", counties=[world.municipality_a.county])
    with time_machine.travel(start + dt.timedelta(hours=23)):
        assert services.remind_unacknowledged() == 0
    services.acknowledge(actor=sec["sec_b"], advisory=critical, organisation=world.org_b, status="received", comment="")
    with time_machine.travel(start + dt.timedelta(hours=25)):
        assert services.remind_unacknowledged() == 1
        assert services.remind_unacknowledged() == 0  # idempotent
    mails = OutboundEmail.objects.filter(key__startswith="advisory-ack-reminder:")
    assert [m.to for m in mails] == [sec["sec_a"].email]
    assert str(critical.pk) in mails[0].key and str(high.pk) not in mails[0].key.split(":")[1]
    assert critical.summary not in mails[0].body_text


def test_reminder_hours_are_a_setting(world: Any, sec: dict[str, Any], settings: Any) -> None:
    settings.ADVISORY_ACK_HOURS = 2
    start = timezone.now()
    make_advisory(tlp="GREEN", severity="critical", counties=[world.municipality_a.county])
    with time_machine.travel(start + dt.timedelta(hours=3)):
        assert services.remind_unacknowledged() == 1


def test_reminder_job_through_the_worker(world: Any, sec: dict[str, Any], run_worker: Any) -> None:
    from advisories.tasks import remind_unacknowledged

    start = timezone.now()
    make_advisory(tlp="GREEN", severity="critical", counties=[world.municipality_a.county])
    with time_machine.travel(start + dt.timedelta(hours=30)):
        remind_unacknowledged.enqueue()
        remind_unacknowledged.enqueue()  # twice at once: still one reminder
        run_worker()
    assert OutboundEmail.objects.filter(key__startswith="advisory-ack-reminder:").count() == 1


def test_analysts_overview(world: Any, sec: dict[str, Any], client: Any, django_assert_max_num_queries: Any) -> None:
    from organisations.tests.factories import OrganisationFactory

    advisory = make_advisory(
        tlp="AMBER",
        counties=[world.municipality_a.county, world.municipality_b.county],
        organisations=[world.enterprise_b],
    )
    for i in range(20):
        org = OrganisationFactory(name=f"Legekontor {i} AS", address_municipality=world.municipality_a)
        Membership.objects.create(organisation=org, state=MembershipState.ACTIVE)
    Membership.objects.create(organisation=world.enterprise_b, state=MembershipState.MUST_RESIGN)
    services.acknowledge(actor=sec["sec_a"], advisory=advisory, organisation=world.org_a, status="handled", comment="")
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("advisories:acknowledgements", args=[advisory.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    overview = services.ack_overview(advisory)
    assert overview["total"].targeted == 23 and overview["total"].acknowledged == 1
    by_county = {g.name: (g.targeted, g.acknowledged) for g in overview["by_county"]}
    assert by_county == {"Innlandet": (21, 1), "Vestland": (2, 0)}
    assert {g.name for g in overview["by_network"]} == {"Digi Innlandet", "DigiVestland"}
    assert "Bergen Legesenter AS" in content and "Legekontor 3 AS" in content
    # Members never reach the overview.
    client.force_login(sec["sec_a"], backend="accounts.backends.PortalBackend")
    assert client.get(reverse("advisories:acknowledgements", args=[advisory.pk])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_concurrent_acknowledgements_make_one_row(world: Any, sec: dict[str, Any]) -> None:
    advisory = make_advisory(tlp="GREEN", counties=[world.municipality_a.county])
    for status in ("received", "handled", "received"):
        services.acknowledge(actor=sec["sec_a"], advisory=advisory, organisation=world.org_a, status=status, comment="")
    assert Acknowledgement.objects.filter(advisory=advisory).count() == 1
