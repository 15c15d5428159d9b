"""Signatories need no invitation (issue 15): a person Enhetsregisteret lists with the authority to sign
alone finds the organisation at their login with ID-porten, keeps it while the register lists them, and
loses it when it stops; the sweep keeps the roles of the organisations that must sign."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import personal_id
from accounts.oidc.testing import oidc_dev_provider_fixture, oidc_providers_fixture  # noqa: F401 - fixtures
from conftest import World
from core.models import AuditEvent
from core.roles import OrganisationRoleType, SignatoryBasis
from enhetsregisteret import roles, signatories
from enhetsregisteret.authority import refresh, store
from enhetsregisteret.models import RegisterRoleHolder, RegisterRoles
from enhetsregisteret.tests.fake_register import person_role
from organisations.choices import OrganisationForm, RegisterStatus
from organisations.models import OrganisationRole
from organisations.tests.factories import OrganisationFactory, RoleFactory, UserFactory, valid_org_number

HILDE_PID = "30496810186"  # synthetic (month + 40), born 1968-09-30
HILDE_BORN = dt.date(1968, 9, 30)


def entry(
    code: str, first: str = "Hilde", last: str = "Dahl", born: dt.date | None = HILDE_BORN, **kw: Any
) -> roles.Entry:
    return roles.Entry(
        code, code, kw.get("description", code), first, kw.get("middle", ""), last, born, kw.get("active", True)
    )


@pytest.fixture
def hilde(db: Any) -> Any:
    """A person ID-porten has identified (her identity number's digest and birth date are on her account)."""
    user = UserFactory(email="hilde@example.no", full_name="Hilde Dahl", birth_date=HILDE_BORN)
    user.national_id_digest = personal_id.digest(HILDE_PID)
    user.save(update_fields=["national_id_digest"])
    return user


def signatory(user: Any, org: Any) -> OrganisationRole | None:
    return OrganisationRole.objects.filter(user=user, organisation=org, role=OrganisationRoleType.SIGNATORY).first()


def test_a_general_manager_logging_in_finds_her_municipality_and_its_next_step(
    world: World, terms: Any, hilde: Any, english: Any
) -> None:
    store(world.org_b, [entry("DAGL"), entry("LEDE", "Ordfører", "Demo", dt.date(1960, 1, 1))])
    client = Client()
    client.force_login(hilde, backend="accounts.backends.PortalBackend")  # what the ID-porten callback does

    role = signatory(hilde, world.org_b)
    assert role is not None and role.from_register and role.granted_by is None
    assert role.signatory_basis == SignatoryBasis.GENERAL_MANAGER
    event = AuditEvent.objects.get(action="role.granted_from_register")
    assert (event.organisation_id, event.after["register_role"]) == (world.org_b.pk, "DAGL")
    page = client.get(reverse("dashboards:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert world.org_b.name in page
    assert reverse("memberships:sign", args=[world.org_b.pk]) in page  # her next step: sign the terms


def test_the_owner_of_a_sole_proprietorship_gets_the_owner_basis(db: Any, hilde: Any) -> None:
    enk = OrganisationFactory(form=OrganisationForm.ENK, name="Dahl Fysioterapi")
    store(enk, [entry("INNH")])
    outcome = signatories.reconcile(hilde)
    assert [r.organisation for r in outcome.granted] == [enk]
    assert signatory(hilde, enk).signatory_basis == SignatoryBasis.OWNER


@pytest.mark.parametrize(
    ("entries", "why"),
    [
        ([entry("DAGL", "Hilde", "Hansen")], "only the first name matches"),
        ([entry("DAGL", born=dt.date(1968, 9, 29))], "another birth date"),
        ([entry("SIGN"), entry("SIGN", "Per", "Olsen", dt.date(1970, 1, 1))], "signature held jointly"),
        ([entry("LEDE")], "chair of the board: no right to sign alone"),
        ([entry("DAGL", active=False)], "resigned"),
        ([entry("DAGL"), entry("DAGL", middle="Marie")], "two persons match: we do not guess"),
    ],
)
def test_no_role_is_given_where_the_signing_would_be_refused(
    db: Any, hilde: Any, entries: list[roles.Entry], why: str
) -> None:
    org = OrganisationFactory()
    store(org, entries)
    assert signatories.reconcile(hilde).granted == [], why
    assert signatory(hilde, org) is None
    assert not AuditEvent.objects.filter(action="role.granted_from_register").exists()


def test_only_a_person_an_identity_provider_identified_is_looked_up(db: Any) -> None:
    same_name_and_birth = UserFactory(full_name="Hilde Dahl", birth_date=HILDE_BORN)  # a password account
    org = OrganisationFactory()
    store(org, [entry("DAGL")])
    assert signatories.reconcile(same_name_and_birth).granted == []
    assert signatory(same_name_and_birth, org) is None


def test_a_second_login_changes_nothing(db: Any, hilde: Any) -> None:
    org = OrganisationFactory()
    store(org, [entry("DAGL")])
    assert len(signatories.reconcile(hilde).granted) == 1
    assert signatories.reconcile(hilde).granted == []
    assert AuditEvent.objects.filter(action="role.granted_from_register").count() == 1


def test_the_role_ends_when_the_register_stops_listing_her_and_other_grants_stay(db: Any, hilde: Any) -> None:
    found, granted_by_staff, stale = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    for org in (found, stale):
        store(org, [entry("DAGL")])
    signatories.reconcile(hilde)
    RoleFactory(
        user=hilde,
        organisation=granted_by_staff,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis="general_manager",
    )
    store(granted_by_staff, [])
    store(found, [entry("DAGL", "Nina", "Ny", dt.date(1980, 2, 2))])  # a new general manager
    store(stale, [])
    RegisterRoles.objects.filter(organisation=stale).update(stale=True)  # changed again since: not decided on it

    outcome = signatories.reconcile(hilde)

    assert outcome.ended == [found]
    assert signatory(hilde, found) is None
    assert signatory(hilde, granted_by_staff) is not None
    assert signatory(hilde, stale) is not None
    event = AuditEvent.objects.get(action="role.ended_by_register")
    assert event.organisation_id == found.pk and "no_role" in event.reason


def test_a_current_delegation_is_left_alone_and_an_expired_one_becomes_the_register_role(db: Any, hilde: Any) -> None:
    current, expired = OrganisationFactory(), OrganisationFactory()
    for org, until in ((current, dt.date(2099, 1, 1)), (expired, dt.date(2020, 1, 1))):
        RoleFactory(
            user=hilde,
            organisation=org,
            role=OrganisationRoleType.SIGNATORY,
            signatory_basis="delegated",
            valid_until=until,
        )
        store(org, [entry("DAGL")])
    outcome = signatories.reconcile(hilde)
    assert [r.organisation for r in outcome.granted] == [expired]
    assert signatory(hilde, current).signatory_basis == SignatoryBasis.DELEGATED
    renewed = signatory(hilde, expired)
    assert (renewed.signatory_basis, renewed.valid_until, renewed.from_register) == ("general_manager", None, True)


def test_the_birth_date_index_follows_every_read_of_the_roles(world: World, register_roles: Any) -> None:
    register_roles.set(
        world.org_b,
        person_role("DAGL", "Hilde", "Dahl", "1968-09-30"),
        person_role("SIGN", "Tor", "Bakken", "1975-11-21", resigned=True),
        person_role("LEDE", "Ordfører", "Demo", "1960-01-01"),
    )
    refresh(world.org_b)
    index = set(RegisterRoleHolder.objects.filter(organisation=world.org_b).values_list("birth_date", "code"))
    assert index == {(HILDE_BORN, "DAGL")}  # neither the resigned one nor a role that cannot sign
    register_roles.set(world.org_b, person_role("PROK", "Tor", "Bakken", "1975-11-21"))
    refresh(world.org_b)
    index = set(RegisterRoleHolder.objects.filter(organisation=world.org_b).values_list("birth_date", "code"))
    assert index == {(dt.date(1975, 11, 21), "PROK")}


# "I sign for this organisation": looked up in the register at once ------------------------------------


def test_hilde_logs_in_with_id_porten_and_is_told_what_the_register_says(
    world: World, terms: Any, oidc_providers: Any, client: Client, english: Any
) -> None:
    """The whole way, through the local OpenID Provider: no invitation, no account before."""
    from accounts.oidc.testing import drive

    store(world.org_b, [entry("DAGL")])
    start = client.get(reverse("accounts:oidc_start", args=["idporten"]) + "?next=/")["Location"]
    callback = drive(start, who="hilde")
    response = client.get(callback.removeprefix("http://testserver"), follow=True)
    hilde = signatory_user(client)
    assert hilde.full_name == "Hilde Dahl" and signatory(hilde, world.org_b).from_register
    page = client.get(reverse("dashboards:home")).content.decode()
    assert "You may sign for Bergen" in response.content.decode() + page
    assert reverse("memberships:sign", args=[world.org_b.pk]) in page


def signatory_user(client: Client) -> Any:
    from accounts.models import User

    return User.objects.get(pk=client.session["_auth_user_id"])


def claim(client: Client, number: str) -> Any:
    return client.post(reverse("enhetsregisteret:claim"), {"org_number": number}, HTTP_ACCEPT_LANGUAGE="en")


def test_an_organisation_not_swept_yet_is_found_when_she_names_it(
    world: World, register_roles: Any, hilde: Any
) -> None:
    register_roles.set(world.org_b, person_role("DAGL", "Hilde", "Dahl", "1968-09-30"))
    client = Client()
    client.force_login(hilde)
    number = world.org_b.org_number
    response = claim(client, f"{number[:3]} {number[3:6]} {number[6:]}")  # as people type it
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:home")
    assert signatory(hilde, world.org_b).from_register
    assert RegisterRoles.objects.filter(organisation=world.org_b).exists()  # read from the register now
    assert claim(client, number).status_code == 302  # again: "you already sign", nothing more
    assert AuditEvent.objects.filter(action="role.granted_from_register").count() == 1


def test_a_refusal_says_why_and_what_to_do(world: World, register_roles: Any, hilde: Any) -> None:
    register_roles.set(world.org_b, person_role("DAGL", "Hilde", "Hansen", "1968-09-30"))
    client = Client()
    client.force_login(hilde)
    page = claim(client, world.org_b.org_number).content.decode()
    assert "does not match yours fully" in page and "delegate the signing to you" in page
    assert signatory(hilde, world.org_b) is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("abc", "9 digits"),
        ("974760674", "check digit"),
        ("unknown", "no organisation with this number"),
        ("", "required"),
    ],
)
def test_bad_numbers_get_a_clear_message_and_store_nothing(world: World, hilde: Any, number: str, message: str) -> None:
    client = Client()
    client.force_login(hilde)
    response = claim(client, valid_org_number() if number == "unknown" else number)
    assert response.status_code == 200
    assert message in response.content.decode().lower() or message in response.content.decode()
    assert not OrganisationRole.objects.filter(user=hilde).exists()


def test_a_password_account_is_told_to_log_in_with_id_porten(world: World, register_roles: Any) -> None:
    register_roles.set(world.org_a, person_role("DAGL", "Anne", "Admin", "1971-03-14"))
    client = Client()
    client.force_login(world.users["member_a"])
    page = client.get(reverse("enhetsregisteret:claim"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "log in again with ID-porten" in page and 'name="org_number"' not in page
    asked = len(register_roles.fake.requests)
    claim(client, world.org_a.org_number)
    assert len(register_roles.fake.requests) == asked  # nobody asked the register


def test_the_lookups_are_limited_per_person(world: World, register_roles: Any, hilde: Any, settings: Any) -> None:
    settings.RATELIMIT_REGISTER_CLAIM = "2/hour"
    client = Client()
    client.force_login(hilde)
    assert [claim(client, world.org_b.org_number).status_code for _ in range(3)] == [200, 200, 429]


# The sweep --------------------------------------------------------------------------------------------------


def test_the_sweep_reads_who_must_sign_changed_first_then_never_read_then_oldest(
    world: World, terms: Any, register_roles: Any
) -> None:
    enterprise = world.enterprise_b  # AS: must sign the published terms (KOMM, AS)
    other = OrganisationFactory(form=OrganisationForm.FLI)  # not asked to sign: never read
    deleted = OrganisationFactory(register_status=RegisterStatus.DELETED)
    store(world.org_a, [])
    store(world.org_b, [])
    RegisterRoles.objects.filter(organisation=world.org_a).update(read_at=timezone.now() - dt.timedelta(days=40))
    RegisterRoles.objects.filter(organisation=world.org_b).update(stale=True)
    due = list(signatories.due_for_reading(max_age=dt.timedelta(days=30)))
    assert due[:3] == [world.org_b, enterprise, world.org_a]
    assert other not in due and deleted not in due

    register_roles.set(world.org_b, person_role("DAGL", "Hilde", "Dahl", "1968-09-30"))
    report = signatories.sweep(limit=2, max_age=dt.timedelta(days=30))
    assert (report.read, report.removed, report.failed) == (1, 1, 0)  # the AS is not in the register: no roles
    assert report.left == len(due) - 2
    assert RegisterRoleHolder.objects.filter(organisation=world.org_b, code="DAGL").exists()


def test_a_register_failure_is_counted_and_tried_again(world: World, terms: Any, register_roles: Any) -> None:
    register_roles.set(world.org_a, person_role("DAGL", "Anne", "Admin", "1971-03-14"))
    path = f"/enheter/{world.org_a.org_number}/roller"
    register_roles.fake.failures[path] = [500, 500, 500, 500]
    try:
        report = signatories.sweep(limit=50, max_age=dt.timedelta(days=30))
    finally:
        register_roles.fake.failures.pop(path, None)
    assert report.failed == 1
    assert world.org_a in signatories.due_for_reading(max_age=dt.timedelta(days=30))


def test_the_command_reports_and_refuses_bad_arguments(world: World, terms: Any) -> None:
    out = StringIO()
    call_command("read_register_roles", "--limit", "5", stdout=out)
    assert "Roles read for" in out.getvalue() and "still due" in out.getvalue()
    for bad in (["--limit", "0"], ["--max-age-days", "0"]):
        with pytest.raises(CommandError):
            call_command("read_register_roles", *bad, stdout=StringIO())
