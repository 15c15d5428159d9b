"""Authority from Enhetsregisteret's roles: the client (against the local register on loopback, in the real
shape), reading the answer, matching a person by birth date and name, refreshing before a signing, and the
roles update feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from core.authority import Refusal, RegisterBasis
from enhetsregisteret import roles
from enhetsregisteret.authority import EnhetsregisteretSource, current
from enhetsregisteret.client import ACCEPT_ROLES, Client
from enhetsregisteret.feed import sync_roles
from enhetsregisteret.models import RegisterRoles
from enhetsregisteret.tests.fake_register import person_role, roles_answer
from organisations.tests.factories import UserFactory

BORN = dt.date(1971, 3, 14)


def entries(*raw: dict[str, Any]) -> list[roles.Entry]:
    return roles.parse(roles_answer(*raw))


def test_the_client_pins_the_roles_version_and_reads_the_register_shape(world: Any, fake_register: Any) -> None:
    body = Client(fake_register.url).roles(world.org_a.org_number)

    path, headers = fake_register.requests[-1]
    assert path == f"/enhetsregisteret/api/enheter/{world.org_a.org_number}/roller"
    assert headers["Accept"] == ACCEPT_ROLES
    [entry] = roles.parse(body)
    assert (entry.group, entry.code, entry.name, entry.birth_date, entry.active) == (
        "DAGL",
        "DAGL",
        "Anne Admin",
        BORN,
        True,
    )


def test_roles_held_by_organisations_resigned_or_deregistered_roles_give_no_authority() -> None:
    answer = roles_answer(
        person_role("DAGL", "Kari", "Nordmann", "1971-03-14", resigned=True),
        person_role("SIGN", "Kari", "Nordmann", "1971-03-14", deregistered=True),
    )
    answer["rollegrupper"][0]["roller"].append({"type": {"kode": "REVI"}, "enhet": {"organisasjonsnummer": "1"}})
    found = roles.match(roles.parse(answer), full_name="Kari Nordmann", birth_date=BORN)
    assert found.problem == roles.NO_ROLE


@pytest.mark.parametrize(
    ("full_name", "register", "problem"),
    [
        ("Kari Nordmann", ("Kari", "", "Nordmann"), ""),
        ("KARI NORDMANN", ("Kari", "", "Nordmann"), ""),  # case
        ("Kari Nordmann", ("Kari", "Anne", "Nordmann"), ""),  # a middle name in the register only
        ("Kari Anne Nordmann", ("Kari", "", "Nordmann"), ""),  # a middle name on the account only
        ("Kåre Ødegård", ("Kare", "", "Odegard"), ""),  # diacritics and Norwegian letters
        ("Anne Kari Nordmann", ("Kari", "Anne", "Nordmann"), ""),  # the given names in another order
        ("Kari Hansen", ("Kari", "", "Nordmann"), roles.PARTIAL_NAME),  # first name only: refused
        ("Lise Nordmann", ("Kari", "", "Nordmann"), roles.PARTIAL_NAME),  # last name only: refused
        ("Per Hansen", ("Kari", "", "Nordmann"), roles.NO_ROLE),
    ],
)
def test_a_person_matches_by_birth_date_and_normalised_name(
    full_name: str, register: tuple[str, str, str], problem: str
) -> None:
    first, middle, last = register
    found = roles.match(
        entries(person_role("DAGL", first, last, "1971-03-14", middle=middle)), full_name=full_name, birth_date=BORN
    )
    assert found.problem == problem


def test_the_same_name_with_another_birth_date_is_not_a_match() -> None:
    found = roles.match(
        entries(person_role("DAGL", "Kari", "Nordmann", "1980-01-01")), full_name="Kari Nordmann", birth_date=BORN
    )
    assert found.problem == roles.NO_ROLE


def test_without_a_birth_date_nobody_is_matched() -> None:
    found = roles.match(
        entries(person_role("DAGL", "Kari", "Nordmann", "1971-03-14")), full_name="Kari Nordmann", birth_date=None
    )
    assert found.problem == roles.NO_BIRTH_DATE


def test_two_matching_persons_are_ambiguous_and_refused() -> None:
    found = roles.match(
        entries(
            person_role("DAGL", "Kari", "Nordmann", "1971-03-14"),
            person_role("SIGN", "Kari", "Nordmann", "1971-03-14", middle="Lise"),
        ),
        full_name="Kari Nordmann",
        birth_date=BORN,
    )
    assert found.problem == roles.AMBIGUOUS


@pytest.mark.parametrize(
    ("raw", "problem", "code"),
    [
        ([person_role("INNH", "Kari", "Nordmann", "1971-03-14")], "", "INNH"),
        ([person_role("SIGN", "Kari", "Nordmann", "1971-03-14")], "", "SIGN"),  # one holder: alone
        ([person_role("PROK", "Kari", "Nordmann", "1971-03-14")], "", "PROK"),
        (
            [person_role("SIGN", "Kari", "Nordmann", "1971-03-14"), person_role("SIGN", "Ola", "Hansen", "1960-01-01")],
            roles.JOINT_RULE,
            "SIGN",
        ),
        (
            [
                person_role("SIGN", "Kari", "Nordmann", "1971-03-14"),
                person_role("SIGN", "Ola", "Hansen", "1960-01-01"),
                person_role("PROK", "Kari", "Nordmann", "1971-03-14"),
            ],
            "",
            "PROK",  # signature jointly, but procuration alone
        ),
        ([person_role("LEDE", "Kari", "Nordmann", "1971-03-14")], roles.NOT_AUTHORITY, "LEDE"),
        ([person_role("MEDL", "Kari", "Nordmann", "1971-03-14")], roles.NOT_AUTHORITY, "MEDL"),
    ],
)
def test_which_roles_give_authority_to_sign_alone(raw: list[dict[str, Any]], problem: str, code: str) -> None:
    found = roles.match(entries(*raw), full_name="Kari Nordmann", birth_date=BORN)
    assert (found.problem, found.entry.code if found.entry else None) == (problem, code)


def test_the_source_records_role_read_time_and_matched_entry(world: Any) -> None:
    answer = EnhetsregisteretSource().decide(user=world["admin_a"], organisation=world.org_a)

    assert isinstance(answer, RegisterBasis)
    assert (answer.source, answer.role_code, answer.text) == (
        "enhetsregisteret",
        "DAGL",
        "Daglig leder i Enhetsregisteret",
    )
    assert answer.entry == {
        "name": "Anne Admin",
        "birth_date": "1971-03-14",
        "code": "DAGL",
        "description": "Daglig leder/ adm.direktør",
    }
    assert answer.read_at == RegisterRoles.objects.get(organisation=world.org_a).read_at


def test_stored_roles_are_read_again_only_when_older_than_the_configured_age(
    world: Any, fake_register: Any, register_roles: Any, settings: Any
) -> None:
    settings.SIGNING_ROLES_MAX_AGE = 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        first = current(world.org_a)
        asked = len(fake_register.requests)
        clock.shift(dt.timedelta(minutes=59))
        assert current(world.org_a).read_at == first.read_at and len(fake_register.requests) == asked

        register_roles.set(world.org_a, person_role("DAGL", "Ny", "Direktør", "1970-01-01"))
        clock.shift(dt.timedelta(minutes=2))
        again = current(world.org_a)

    assert len(fake_register.requests) == asked + 1
    assert again.read_at == start + dt.timedelta(minutes=61)
    assert [e["last_name"] for e in again.entries] == ["Direktør"]
    refused = EnhetsregisteretSource().decide(user=world["admin_a"], organisation=world.org_a)
    assert isinstance(refused, Refusal) and "Ringsaker" in refused.reason


def test_an_unreachable_register_refuses_rather_than_trusting_an_old_copy(
    world: Any, fake_register: Any, settings: Any
) -> None:
    current(world.org_a)
    RegisterRoles.objects.update(read_at=timezone.now() - dt.timedelta(days=30))
    fake_register.failures[f"/enheter/{world.org_a.org_number}/roller"] = [503, 503, 503, 503]

    answer = EnhetsregisteretSource().decide(user=world["admin_a"], organisation=world.org_a)

    assert isinstance(answer, Refusal)
    assert "could not be reached" in answer.reason


def test_the_roles_feed_marks_changed_organisations_to_be_read_again(world: Any, fake_register: Any) -> None:
    current(world.org_a)
    fake_register.role_event(41, world.org_b.org_number)
    fake_register.role_event(42, world.org_a.org_number)
    fake_register.role_event(43, "123")  # not an organisation number: skipped

    assert sync_roles(Client(fake_register.url)) == 1
    assert RegisterRoles.objects.get(organisation=world.org_a).stale
    assert sync_roles(Client(fake_register.url)) == 0  # the cursor moved on: applying again changes nothing
    asked = len(fake_register.requests)
    current(world.org_a)  # stale: read again although young
    assert len(fake_register.requests) == asked + 1
    assert not RegisterRoles.objects.get(organisation=world.org_a).stale


def test_holding_any_role_is_read_from_the_stored_copy(world: Any) -> None:
    source = EnhetsregisteretSource()
    assert not source.holds_role(user=world["admin_a"], organisation=world.org_a)  # nothing read yet
    current(world.org_a)
    assert source.holds_role(user=world["admin_a"], organisation=world.org_a)
    assert not source.holds_role(user=UserFactory(full_name="Anne Admin"), organisation=world.org_a)  # no birth date
