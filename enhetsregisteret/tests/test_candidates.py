import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, OutboundEmail
from enhetsregisteret import services
from enhetsregisteret.models import FollowUp, MembershipRule, Merger, RegisterEntry
from memberships.choices import MembershipState, ReminderStep, TerminationReason
from memberships.models import Membership, ReminderLog
from organisations.choices import OrganisationForm, RegisterStatus, Source
from organisations.tests.factories import OrganisationFactory

CANDIDATES = reverse("enhetsregisteret:candidates")


def candidate(name, form=OrganisationForm.AS, codes=("86.211",), days_ago=1, **kwargs):
    org = OrganisationFactory(
        name=name,
        form=form,
        industry_codes=list(codes),
        source=Source.ENHETSREGISTERET,
        email=f"post@{name.split()[0].lower()}.example.no",
        **kwargs,
    )
    RegisterEntry.objects.create(
        organisation=org, must_be_member=True, first_seen_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return org


def test_the_candidate_list_shows_new_candidates_with_bounded_queries(world, login, django_assert_max_num_queries):
    for n in range(15):
        candidate(f"Klinikk{n} Nord AS")
    candidate("Gammel Legesenter AS", days_ago=90)
    client = login(world["membership_manager"])
    with django_assert_max_num_queries(14):
        response = client.get(CANDIDATES)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Klinikk0 Nord AS" in text and "Gammel Legesenter AS" not in text
    response = client.get(CANDIDATES + "?show=without")
    assert "Gammel Legesenter AS" in response.content.decode()


def test_members_and_invited_are_not_candidates(world, terms):
    invited = candidate("Invitert Helse AS")
    Membership.objects.create(organisation=invited, state=MembershipState.INVITED)
    bankrupt = candidate("Konkurs Helse AS", register_status=RegisterStatus.BANKRUPT)
    terminated = candidate("Sagt Opp Helse AS")
    Membership.objects.create(
        organisation=terminated, state=MembershipState.TERMINATED, termination_reason="own_notice"
    )
    names = set(services.candidates().values_list("name", flat=True))
    assert "Invitert Helse AS" not in names and bankrupt.name not in names
    assert "Sagt Opp Helse AS" in names


def test_bulk_invitation_uses_the_membership_flow(world, terms, login):
    first, second = candidate("Fjord Klinikk AS"), candidate("Vik Tannlege AS")
    enk = candidate("Kari Nord Fysioterapi", form=OrganisationForm.ENK)  # no published terms for ENK here
    client = login(world["membership_manager"])
    response = client.post(
        reverse("enhetsregisteret:invite"), {"organisations": [first.pk, second.pk, enk.pk], "show": "new"}, follow=True
    )
    assert response.status_code == 200
    for org in (first, second):
        membership = Membership.objects.get(organisation=org)
        assert membership.state == MembershipState.INVITED
        assert membership.transitions.get().actor == world["membership_manager"]
        assert ReminderLog.objects.filter(organisation=org, step=ReminderStep.INVITATION).exists()
        assert OutboundEmail.objects.filter(to=org.email).exists()
    assert not Membership.objects.filter(organisation=enk, state=MembershipState.INVITED).exists()
    text = response.content.decode()
    assert "Kari Nord Fysioterapi" in text  # told why it was skipped
    assert AuditEvent.objects.filter(action="register.invitation_approved").count() == 2
    # approving again invites no one twice
    client.post(reverse("enhetsregisteret:invite"), {"organisations": [first.pk]})
    assert OutboundEmail.objects.filter(to=first.email).count() == 1


def test_inviting_nobody_is_refused(world, login):
    client = login(world["membership_manager"])
    response = client.post(reverse("enhetsregisteret:invite"), {}, follow=True)
    assert "No invitations were sent" in response.content.decode()


def test_a_membership_manager_edits_the_rules_and_the_candidates_follow(world, login):
    nursing = OrganisationFactory(name="Lia Sykehjem AS", industry_codes=["87.101"])
    RegisterEntry.objects.create(organisation=nursing, must_be_member=False, first_seen_at=timezone.now())
    client = login(world["membership_manager"])
    response = client.post(
        reverse("enhetsregisteret:rule_create"),
        {"name": "Sykehjem", "forms": ["AS"], "industry_prefixes": "87.1, 8x", "active": "on"},
    )
    assert response.status_code == 400
    assert "“8x” is not an industry code prefix" in response.content.decode()
    assert not MembershipRule.objects.filter(name="Sykehjem").exists()
    response = client.post(
        reverse("enhetsregisteret:rule_create"),
        {"name": "Sykehjem", "forms": ["AS"], "industry_prefixes": "87.1", "active": "on"},
    )
    assert response.status_code == 302
    assert RegisterEntry.objects.get(organisation=nursing).must_be_member
    rule = MembershipRule.objects.get(name="Sykehjem")
    response = client.post(
        reverse("enhetsregisteret:rule_edit", args=[rule.pk]),
        {"name": "Sykehjem", "forms": ["AS"], "industry_prefixes": "87.1"},
    )
    assert response.status_code == 302
    assert not RegisterEntry.objects.get(organisation=nursing).must_be_member  # the rule is inactive now
    assert AuditEvent.objects.filter(action="register.rule_saved").count() == 2
    assert client.get(reverse("enhetsregisteret:rule_list")).status_code == 200


def test_rules_match_forms_and_prefixes():
    rule = MembershipRule(name="x", forms=["ENK", "AS"], industry_prefixes=["86"])
    assert rule.matches("AS", ["68.209", "86.902"])
    assert not rule.matches("AS", ["68.209"])
    assert not rule.matches("FLI", ["86.902"])
    assert MembershipRule(name="y", forms=["KOMM"]).matches("KOMM", [])


def test_members_that_left_the_register_are_listed_and_resolved(world, login):
    member = world.enterprise_b
    Membership.objects.create(organisation=member, state=MembershipState.ACTIVE)
    follow_up = FollowUp.objects.create(organisation=member, reason="bankrupt", detected_at=timezone.now())
    client = login(world["membership_manager"])
    text = client.get(CANDIDATES + "?show=left", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Bergen Legesenter AS" in text and "Bankrupt" in text
    client.post(reverse("enhetsregisteret:follow_up_resolve", args=[follow_up.pk]))
    follow_up.refresh_from_db()
    assert follow_up.resolved_by == world["membership_manager"]
    assert Organisation_exists(member.pk)
    response = client.post(reverse("enhetsregisteret:follow_up_resolve", args=[follow_up.pk]), follow=True)
    assert "already resolved" in response.content.decode()


def Organisation_exists(pk):
    from organisations.models import Organisation

    return Organisation.objects.filter(pk=pk).exists()


def test_a_merger_ends_the_old_membership_and_invites_the_new_organisation(world, terms, login):
    old = world.enterprise_b
    Membership.objects.create(organisation=old, state=MembershipState.ACTIVE)
    FollowUp.objects.create(organisation=old, reason="deleted", detected_at=timezone.now())
    new = candidate("Bergen Helse AS")
    moved = []

    def receiver(sender, merger, old, new, actor, **kwargs):
        moved.append((old.pk, new.pk))

    services.organisation_merged.connect(receiver)
    try:
        client = login(world["membership_manager"])
        response = client.post(
            reverse("enhetsregisteret:merger_create"),
            {
                "old_org_number": old.org_number,
                "new_org_number": f"{new.org_number[:3]} {new.org_number[3:]}",
                "kind": "change_of_owner",
                "effective_date": timezone.localdate().isoformat(),
                "note": "Kjøpt av Bergen Helse",
            },
        )
    finally:
        services.organisation_merged.disconnect(receiver)
    assert response.status_code == 302
    old_membership = Membership.objects.get(organisation=old)
    assert old_membership.state == MembershipState.TERMINATED
    assert old_membership.termination_reason == TerminationReason.MERGER
    assert Membership.objects.get(organisation=new).state == MembershipState.INVITED
    assert moved == [(old.pk, new.pk)]
    assert not FollowUp.objects.open().filter(organisation=old).exists()
    assert Merger.objects.get().new_organisation == new
    assert new not in services.candidates()


def test_a_merger_form_with_bad_input_stores_nothing(world, login):
    client = login(world["membership_manager"])
    response = client.post(
        reverse("enhetsregisteret:merger_create"),
        {
            "old_org_number": world.org_a.org_number,
            "new_org_number": world.org_a.org_number,
            "kind": "municipality_merger",
            "effective_date": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "must be different" in response.content.decode()
    response = client.post(
        reverse("enhetsregisteret:merger_create"),
        {"old_org_number": "974760674", "new_org_number": world.org_a.org_number, "kind": "x", "effective_date": ""},
    )
    assert response.status_code == 400
    assert not Merger.objects.exists()


def test_a_failing_receiver_rolls_the_merger_back(world, terms):
    old = world.enterprise_b
    Membership.objects.create(organisation=old, state=MembershipState.ACTIVE)
    new = candidate("Bergen Helse AS")

    def broken(**kwargs):
        raise RuntimeError("connections could not be moved")

    services.organisation_merged.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            services.record_merger(
                actor=world["membership_manager"],
                old=old,
                new=new,
                kind="change_of_owner",
                effective_date=dt.date(2026, 1, 1),
            )
    finally:
        services.organisation_merged.disconnect(broken)
    assert Membership.objects.get(organisation=old).state == MembershipState.ACTIVE
    assert not Merger.objects.exists()


def test_the_organisation_page_shows_the_register_section(world, login):
    member = world.enterprise_b
    RegisterEntry.objects.create(organisation=member, first_seen_at=timezone.now(), deleted_on=dt.date(2026, 11, 20))
    FollowUp.objects.create(organisation=member, reason="deleted", detected_at=timezone.now())
    text = login(world["membership_manager"]).get(member.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Enhetsregisteret" in text and "See the follow-up list" in text


def test_the_follow_up_list_runs_a_bounded_number_of_queries(world, login, django_assert_max_num_queries):
    for n in range(12):
        org = OrganisationFactory(name=f"Forlatt{n} AS")
        Membership.objects.create(organisation=org, state=MembershipState.ACTIVE)
        FollowUp.objects.create(organisation=org, reason="deleted", detected_at=timezone.now())
    client = login(world["membership_manager"])
    with django_assert_max_num_queries(14):
        response = client.get(CANDIDATES + "?show=left")
    text = response.content.decode()
    assert all(f">Forlatt{n} AS</a>" in text for n in range(12))


def test_others_may_not_see_or_change_the_lists(world, login):
    for persona in ("customer_centre", "admin_a", "coordinator_a"):
        client = login(world[persona])
        assert client.get(CANDIDATES).status_code == 403
        assert (
            client.post(reverse("enhetsregisteret:invite"), {"organisations": [world.enterprise_b.pk]}).status_code
            == 403
        )
