"""Issue 19: an advisory reaches the organisations in its target whose membership is in force (and the
named people) — decided in the one TLP queryset every channel reads — and its figures count exactly
that audience. The audience follows membership: it is read now, not fixed at publication."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from advisories import services
from advisories.choices import AdvisoryStatus
from advisories.models import Advisory
from advisories.tests.conftest import make_advisory
from core.models import OutboundEmail
from core.roles import OrganisationRoleType
from memberships.choices import MembershipState
from memberships.models import Membership
from organisations.tests.factories import OrganisationFactory, RoleFactory, UserFactory


@pytest.fixture
def candidate(world: Any, sec: dict[str, Any]) -> dict[str, Any]:
    """A register candidate in county A (no membership) and an ended member there, each with a
    security contact."""
    cand = OrganisationFactory(name="Kandidat Legesenter AS", address_municipality=world.municipality_a)
    ended = OrganisationFactory(name="Avsluttet Tannlege AS", address_municipality=world.municipality_a)
    Membership.objects.create(organisation=ended, state=MembershipState.TERMINATED, termination_reason="own_notice")
    cand_person = UserFactory(email="sikkerhet@kandidat.example.no")
    ended_person = UserFactory(email="sikkerhet@avsluttet.example.no")
    RoleFactory(user=cand_person, organisation=cand, role=OrganisationRoleType.SECURITY_CONTACT)
    RoleFactory(user=ended_person, organisation=ended, role=OrganisationRoleType.SECURITY_CONTACT)
    return {"org": cand, "ended": ended, "person": cand_person, "ended_person": ended_person}


def test_candidate_and_ended_member_never_read_an_amber_advisory(
    world: Any, sec: dict[str, Any], candidate: dict[str, Any]
) -> None:
    advisory = make_advisory(tlp="AMBER", counties=[world.municipality_a.county])
    strict = make_advisory(tlp="AMBER+STRICT", organisations=[candidate["org"], world.org_a])
    for person in (candidate["person"], candidate["ended_person"]):
        assert not Advisory.objects.visible_to(person).filter(pk__in=[advisory.pk, strict.pk]).exists()
    assert set(Advisory.objects.visible_to(sec["sec_a"]).values_list("pk", flat=True)) >= {advisory.pk, strict.pk}


def test_recipients_and_figures_count_only_members_in_force(
    world: Any, sec: dict[str, Any], candidate: dict[str, Any]
) -> None:
    advisory = make_advisory(tlp="AMBER", counties=[world.municipality_a.county])
    assert set(advisory.targeted_organisations()) == {world.org_a}
    assert {u.email for u in services.advisory_recipients(advisory)} == {sec["sec_a"].email}
    overview = services.ack_overview(advisory)
    assert overview["total"].targeted == 1
    assert services.acknowledging_organisations(candidate["person"], advisory) == []
    # A register import adding candidates does not grow the figures.
    for i in range(5):
        OrganisationFactory(name=f"Ny enhet {i} AS", address_municipality=world.municipality_a)
    assert services.ack_overview(advisory)["total"].targeted == 1


def test_audience_follows_membership(world: Any, sec: dict[str, Any], candidate: dict[str, Any]) -> None:
    """Decided: the audience is read now. A candidate that becomes a member reads it; a member that
    ends no longer does, and leaves the figures."""
    advisory = make_advisory(tlp="AMBER", counties=[world.municipality_a.county])
    Membership.objects.create(organisation=candidate["org"], state=MembershipState.ACTIVE)
    assert Advisory.objects.visible_to(candidate["person"]).filter(pk=advisory.pk).exists()
    assert services.ack_overview(advisory)["total"].targeted == 2
    Membership.objects.filter(organisation=world.org_a).update(state=MembershipState.SUSPENDED)
    assert not Advisory.objects.visible_to(sec["sec_a"]).filter(pk=advisory.pk).exists()
    assert services.ack_overview(advisory)["total"].targeted == 1
    assert services.unanswered_counts(sec["sec_a"], {world.org_a.pk}) == {world.org_a.pk: 0}


def test_red_reaches_named_people_only(world: Any, sec: dict[str, Any], candidate: dict[str, Any]) -> None:
    advisory = make_advisory(tlp="RED", organisations=[world.org_a], people=[candidate["person"]])
    assert [u.pk for u in services.advisory_recipients(advisory)] == [candidate["person"].pk]
    assert not Advisory.objects.visible_to(sec["sec_a"]).filter(pk=advisory.pk).exists()


def _approve(client: Any, world: Any, sec: dict[str, Any], **audience: Any) -> str:
    advisory = make_advisory(tlp="AMBER", published=False, author=world["cert_analyst"], **audience)
    Advisory.objects.filter(pk=advisory.pk).update(status=AdvisoryStatus.IN_REVIEW)
    client.force_login(sec["analyst2"], backend="accounts.backends.PortalBackend")
    response = client.post(reverse("advisories:approve", args=[advisory.pk]), follow=True)
    assert response.status_code == 200
    return " ".join(str(m) for m in response.context["messages"])


def test_approval_says_how_many_were_notified_and_who_has_no_contact(
    world: Any, sec: dict[str, Any], client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    no_contact = OrganisationFactory(name="Uten Kontakt AS", address_municipality=world.municipality_a)
    Membership.objects.create(organisation=no_contact, state=MembershipState.ACTIVE)
    text = _approve(client, world, sec, counties=[world.municipality_a.county])
    assert "1 person is being e-mailed." in text
    assert "1 of the 2 targeted member organisations has no security contact" in text
    assert "notified" not in text


def test_approval_never_says_notified_when_no_email_is_sent(world: Any, sec: dict[str, Any], client: Any) -> None:
    nobody = OrganisationFactory(name="Ingen Kontakt AS", address_municipality=world.municipality_b)
    Membership.objects.create(organisation=nobody, state=MembershipState.ACTIVE)
    text = _approve(client, world, sec, organisations=[nobody])
    assert "No e-mail is sent" in text and "notified" not in text
    assert not OutboundEmail.objects.exists()
