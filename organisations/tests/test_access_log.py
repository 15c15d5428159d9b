"""Normen's right of access (issue 20): an organisation's administrators see who outside it opened its data or was
refused, from audit events that carry the client address; role grants, exports and password changes are events.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import World
from core import access
from core.audit import verify_chain
from core.models import AuditEvent
from core.roles import OrganisationRoleType
from memberships.models import Signature

pytestmark = pytest.mark.django_db

REMOTE = {"REMOTE_ADDR": "192.0.2.44"}


def _viewed(world: World) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=access.VIEWED, organisation_id=world.org_a.pk))


def test_an_nhn_agent_opening_the_organisation_is_recorded_with_the_client_address(world: World, login: Any) -> None:
    agent = world["customer_centre"]

    response = login(agent).get(reverse("organisations:organisation_detail", args=[world.org_a.pk]), **REMOTE)

    assert response.status_code == 200
    [event] = _viewed(world)
    assert (event.actor, event.ip_address, event.request_id != "") == (agent, "192.0.2.44", True)
    assert event.after == {"kind": "contacts", "label": world.org_a.name}
    assert verify_chain().ok, "the client address is part of the hashed content"


def test_the_organisations_own_people_are_not_recorded(world: World, login: Any) -> None:
    for persona in ("admin_a", "member_a"):
        login(world[persona]).get(reverse("organisations:organisation_detail", args=[world.org_a.pk]))

    assert _viewed(world) == []


def test_opening_the_same_thing_again_soon_is_one_event(world: World, login: Any) -> None:
    client = login(world["customer_centre"])
    url = reverse("organisations:organisation_detail", args=[world.org_a.pk])
    for _ in range(3):
        assert client.get(url).status_code == 200
    login(world["system_admin"]).get(url)

    assert [e.actor for e in _viewed(world)] == [world["customer_centre"], world["system_admin"]]


def test_signed_agreements_opened_by_staff_are_recorded(world: World, login: Any, signatures: dict[str, Any]) -> None:
    signature: Signature = signatures["A"]
    client = login(world["membership_manager"])

    assert client.get(reverse("memberships:signature_pdf", args=[signature.pk])).status_code == 200

    [event] = _viewed(world)
    assert event.after["kind"] == "agreement"
    assert event.object_type == "memberships.signature" and event.object_id == str(signature.pk)


def test_the_administrator_sees_the_log_and_can_filter_it(world: World, login: Any) -> None:
    login(world["customer_centre"]).get(reverse("organisations:organisation_detail", args=[world.org_a.pk]))
    url = reverse("organisations:access_log", args=[world.org_a.pk])

    page = login(world["admin_a"]).get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    text = page.content.decode()
    assert "customer_centre@nhn.example.no" in text and "Opened" in text
    assert "192.0.2" not in text, "the page names people and times, not their addresses"
    assert "customer_centre@nhn.example.no" not in login(world["admin_a"]).get(url + "?kind=incident").content.decode()
    assert login(world["admin_a"]).get(url + "?kind=nonsense").status_code == 200, "bad filters are not a 500"


def test_the_log_link_is_on_the_organisation_page_for_its_administrators_only(world: World, login: Any) -> None:
    url = reverse("organisations:access_log", args=[world.org_a.pk])
    detail = reverse("organisations:organisation_detail", args=[world.org_a.pk])

    assert url in login(world["admin_a"]).get(detail).content.decode()
    assert url not in login(world["member_a"]).get(detail).content.decode()


def test_a_refusal_on_the_organisations_object_is_recorded_and_listed(world: World, login: Any) -> None:
    # A technical contact may see the organisation but not grant roles in it: 403, recorded once.
    client = login(world["member_a"])
    url = reverse("organisations:role_grant", args=[world.org_a.pk])
    for _ in range(2):
        assert client.post(url, {"email": "x@example.no", "role": OrganisationRoleType.ADMIN}).status_code == 403

    [event] = AuditEvent.objects.filter(action=access.DENIED)
    assert (event.actor, event.organisation_id) == (world["member_a"], world.org_a.pk)
    assert event.after == {"action": "organisation.manage_roles", "path": url}
    page = login(world["admin_a"]).get(
        reverse("organisations:access_log", args=[world.org_a.pk]) + "?action=access.denied"
    )
    assert url in page.content.decode()


def test_role_grants_and_removals_are_audit_events(world: World) -> None:
    from organisations import services
    from organisations.tests.factories import UserFactory

    person = UserFactory(email="ny@example.no")
    grant = services.role_grant(
        actor=world["admin_a"], organisation=world.org_a, user=person, role=OrganisationRoleType.TECHNICAL_CONTACT
    )
    services.role_revoke(actor=world["admin_a"], grant=grant)

    events = AuditEvent.objects.filter(action__in=("role.granted", "role.revoked")).order_by("id")
    assert [(e.action, e.actor, e.organisation_id) for e in events] == [
        ("role.granted", world["admin_a"], world.org_a.pk),
        ("role.revoked", world["admin_a"], world.org_a.pk),
    ]
    assert events[0].after["role"] == OrganisationRoleType.TECHNICAL_CONTACT


def test_a_password_change_is_an_audit_event_without_the_password(world: World, login: Any) -> None:
    user = world["member_a"]
    user.set_password("old-Passord-123")
    user.save()
    before = AuditEvent.objects.filter(action="auth.password_changed").count()

    response = login(user).post(
        reverse("accounts:password_change"),
        {
            "old_password": "old-Passord-123",
            "new_password1": "Nytt-langt-passord-2026",
            "new_password2": "Nytt-langt-passord-2026",
        },
        **REMOTE,
    )

    assert response.status_code == 302
    events = AuditEvent.objects.filter(action="auth.password_changed").order_by("id")
    assert events.count() == before + 1
    last = events.last()
    assert last is not None and (last.actor, last.ip_address) == (user, "192.0.2.44")
    assert "Nytt-langt-passord" not in str(last.after) + str(last.before)


def test_an_export_of_organisations_not_signed_is_an_audit_event(world: World, login: Any, terms: Any) -> None:
    client = login(world["membership_manager"])

    response = client.get(reverse("dashboards:missing_csv"), {"version": terms.published.pk})

    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(action=access.EXPORTED)
    assert event.actor == world["membership_manager"]
    assert event.after["what"].endswith(":csv") and event.after["rows"] >= 1
