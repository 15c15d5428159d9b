"""Giving and removing roles through the views: what is stored, what is refused, and what people see.

Who may reach the views at all (200/403/404) is covered by tests/test_authorization_matrix.py.
Messages are asserted in Norwegian, the default language (no Accept-Language header is sent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.roles import OrganisationRoleType, SignatoryBasis
from organisations.models import OrganisationRole
from organisations.tests.factories import RoleFactory, UserFactory

OSLO = ZoneInfo("Europe/Oslo")


def grant_url(org: Any) -> str:
    return reverse("organisations:role_grant", args=[org.pk])


def revoke_url(grant: OrganisationRole) -> str:
    return reverse("organisations:role_revoke", args=[grant.organisation_id, grant.pk])


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def newcomer(world: Any) -> Any:
    """A registered person with no role anywhere yet."""
    return UserFactory(email="nora.ny@example.no", full_name="Nora Ny")


# --- Granting -------------------------------------------------------------------------------------


def test_an_org_admin_gives_a_registered_user_the_technical_contact_role(world: Any, login: Any, newcomer: Any) -> None:
    client = login(world["admin_a"])

    response = client.post(grant_url(world.org_a), {"email": "nora.ny@example.no", "role": "technical_contact"})

    assert response.status_code == 302
    assert response["Location"] == world.org_a.get_absolute_url()
    grant = OrganisationRole.objects.get(user=newcomer)
    assert grant.organisation == world.org_a
    assert grant.role == OrganisationRoleType.TECHNICAL_CONTACT
    assert grant.granted_by == world["admin_a"]
    assert grant.signatory_basis == ""
    assert grant.valid_until is None
    page = client.get(response["Location"])
    assert messages_of(page) == ["Nora Ny er nå teknisk kontakt."]
    assert "nora.ny@example.no" in page.content.decode()


def test_the_e_mail_address_is_matched_in_any_case_and_with_spaces_around(
    world: Any, login: Any, newcomer: Any
) -> None:
    response = login(world["admin_a"]).post(
        grant_url(world.org_a), {"email": "  Nora.Ny@EXAMPLE.no ", "role": "security_contact"}
    )

    assert response.status_code == 302
    assert OrganisationRole.objects.filter(user=newcomer, role=OrganisationRoleType.SECURITY_CONTACT).count() == 1


def test_the_same_grant_twice_gives_a_clear_error_and_one_row(world: Any, login: Any, newcomer: Any) -> None:
    client = login(world["admin_a"])
    data = {"email": "nora.ny@example.no", "role": "technical_contact"}
    assert client.post(grant_url(world.org_a), data).status_code == 302

    again = client.post(grant_url(world.org_a), data)

    assert again.status_code == 400
    assert "Nora Ny har allerede denne rollen." in again.content.decode()
    assert OrganisationRole.objects.filter(user=newcomer, organisation=world.org_a).count() == 1


def test_the_same_person_may_hold_a_second_different_role(world: Any, login: Any, newcomer: Any) -> None:
    client = login(world["admin_a"])
    client.post(grant_url(world.org_a), {"email": "nora.ny@example.no", "role": "technical_contact"})

    response = client.post(grant_url(world.org_a), {"email": "nora.ny@example.no", "role": "security_contact"})

    assert response.status_code == 302
    assert set(OrganisationRole.objects.filter(user=newcomer).values_list("role", flat=True)) == {
        "technical_contact",
        "security_contact",
    }


@pytest.mark.parametrize("email", ["ukjent@example.no", "gone.a@example.no"], ids=["unknown", "deactivated"])
def test_an_e_mail_without_an_active_user_gives_a_form_error_and_stores_nothing(
    world: Any, login: Any, email: str
) -> None:
    before = OrganisationRole.objects.count()

    response = login(world["admin_a"]).post(grant_url(world.org_a), {"email": email, "role": "security_contact"})

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "Ingen aktiv bruker har denne e-postadressen. Inviter personen på e-post i stedet (se lenken nedenfor)."
    ]
    assert "Ingen aktiv bruker har denne e-postadressen" in response.content.decode()
    assert OrganisationRole.objects.count() == before


def test_an_org_admin_is_not_offered_the_signatory_role(world: Any, login: Any) -> None:
    page = login(world["admin_a"]).get(world.org_a.get_absolute_url())

    content = page.content.decode()
    assert 'value="technical_contact"' in content
    assert 'value="signatory"' not in content
    assert 'name="signatory_basis"' not in content


def test_it_rejects_a_signatory_grant_from_an_org_admin(world: Any, login: Any, newcomer: Any) -> None:
    response = login(world["admin_a"]).post(
        grant_url(world.org_a),
        {"email": "nora.ny@example.no", "role": "signatory", "signatory_basis": "general_manager"},
    )

    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    assert not OrganisationRole.objects.filter(user=newcomer).exists()
    assert OrganisationRole.objects.filter(organisation=world.org_a, role="signatory").count() == 1  # admin_a's own


def test_a_membership_manager_grants_a_signatory_by_procuration(world: Any, login: Any, newcomer: Any) -> None:
    manager = world["membership_manager"]

    response = login(manager).post(
        grant_url(world.org_a), {"email": "nora.ny@example.no", "role": "signatory", "signatory_basis": "procuration"}
    )

    assert response.status_code == 302
    grant = OrganisationRole.objects.get(user=newcomer)
    assert (grant.organisation, grant.role, grant.signatory_basis) == (
        world.org_a,
        OrganisationRoleType.SIGNATORY,
        SignatoryBasis.PROCURATION,
    )
    assert grant.granted_by == manager
    assert grant.valid_until is None


def test_it_rejects_a_signatory_without_a_basis(world: Any, login: Any, newcomer: Any) -> None:
    response = login(world["membership_manager"]).post(
        grant_url(world.org_a), {"email": "nora.ny@example.no", "role": "signatory", "signatory_basis": ""}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["signatory_basis"] == [
        "For en signaturberettiget må du oppgi grunnlaget for å signere."
    ]
    assert not OrganisationRole.objects.filter(user=newcomer).exists()


def test_it_rejects_a_delegated_signatory_without_an_end_date(world: Any, login: Any, newcomer: Any) -> None:
    response = login(world["membership_manager"]).post(
        grant_url(world.org_a),
        {"email": "nora.ny@example.no", "role": "signatory", "signatory_basis": "delegated", "valid_until": ""},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["valid_until"] == ["En delegert fullmakt må ha en sluttdato."]
    assert "En delegert fullmakt må ha en sluttdato." in response.content.decode()
    assert not OrganisationRole.objects.filter(user=newcomer).exists()


def test_it_stores_a_delegated_signatory_with_an_end_date(world: Any, login: Any, newcomer: Any) -> None:
    response = login(world["membership_manager"]).post(
        grant_url(world.org_a),
        {
            "email": "nora.ny@example.no",
            "role": "signatory",
            "signatory_basis": "delegated",
            "valid_until": "2099-06-30",
        },
    )

    assert response.status_code == 302
    grant = OrganisationRole.objects.get(user=newcomer)
    assert grant.signatory_basis == SignatoryBasis.DELEGATED
    assert grant.valid_until == dt.date(2099, 6, 30)


def test_the_basis_given_for_another_role_is_not_stored(world: Any, login: Any, newcomer: Any) -> None:
    response = login(world["membership_manager"]).post(
        grant_url(world.org_a),
        {"email": "nora.ny@example.no", "role": "security_contact", "signatory_basis": "procuration"},
    )

    assert response.status_code == 302
    assert OrganisationRole.objects.get(user=newcomer).signatory_basis == ""


# --- Removing -------------------------------------------------------------------------------------


def test_an_org_admin_cannot_remove_a_signatory(world: Any, login: Any) -> None:
    signatory = OrganisationRole.objects.get(organisation=world.org_a, role=OrganisationRoleType.SIGNATORY)

    response = login(world["admin_a"]).post(revoke_url(signatory))

    assert response.status_code == 403
    assert OrganisationRole.objects.filter(pk=signatory.pk).exists()


def test_an_org_admin_is_not_offered_to_remove_a_signatory(world: Any, login: Any) -> None:
    signatory = OrganisationRole.objects.get(organisation=world.org_a, role=OrganisationRoleType.SIGNATORY)
    member = OrganisationRole.objects.get(user=world["member_a"])

    content = login(world["admin_a"]).get(world.org_a.get_absolute_url()).content.decode()

    assert revoke_url(signatory) not in content
    assert revoke_url(member) in content


def test_a_membership_manager_removes_a_signatory(world: Any, login: Any) -> None:
    signatory = OrganisationRole.objects.get(organisation=world.org_a, role=OrganisationRoleType.SIGNATORY)

    response = login(world["membership_manager"]).post(revoke_url(signatory), follow=True)

    assert response.redirect_chain == [(world.org_a.get_absolute_url(), 302)]
    assert not OrganisationRole.objects.filter(pk=signatory.pk).exists()
    assert messages_of(response) == ["Anne Admin har ikke lenger rollen signaturberettiget."]


def test_an_org_admin_removes_a_technical_contact(world: Any, login: Any) -> None:
    grant = OrganisationRole.objects.get(user=world["member_a"])

    response = login(world["admin_a"]).post(revoke_url(grant), follow=True)

    assert not OrganisationRole.objects.filter(pk=grant.pk).exists()
    assert messages_of(response) == ["Mette Medlem har ikke lenger rollen teknisk kontakt."]


def test_the_last_administrator_cannot_remove_themselves(world: Any, login: Any) -> None:
    own = OrganisationRole.objects.get(user=world["admin_a"], role=OrganisationRoleType.ADMIN)

    response = login(world["admin_a"]).post(revoke_url(own), follow=True)

    assert response.redirect_chain == [(world.org_a.get_absolute_url(), 302)]
    assert messages_of(response) == ["Du er den siste administratoren i organisasjonen og kan ikke fjerne deg selv."]
    assert OrganisationRole.objects.filter(pk=own.pk).exists()


def test_an_administrator_with_a_fellow_administrator_may_remove_themselves(world: Any, login: Any) -> None:
    RoleFactory(user=UserFactory(), organisation=world.org_a, role=OrganisationRoleType.ADMIN)
    own = OrganisationRole.objects.get(user=world["admin_a"], role=OrganisationRoleType.ADMIN)

    response = login(world["admin_a"]).post(revoke_url(own))

    assert response.status_code == 302
    assert not OrganisationRole.objects.filter(pk=own.pk).exists()


def test_an_expired_fellow_administrator_does_not_count(world: Any, login: Any) -> None:
    RoleFactory(
        user=UserFactory(), organisation=world.org_a, role=OrganisationRoleType.ADMIN, valid_until=dt.date(2020, 1, 1)
    )
    own = OrganisationRole.objects.get(user=world["admin_a"], role=OrganisationRoleType.ADMIN)

    login(world["admin_a"]).post(revoke_url(own))

    assert OrganisationRole.objects.filter(pk=own.pk).exists()


def test_a_deactivated_fellow_administrator_does_not_count(world: Any, login: Any) -> None:
    RoleFactory(user=world["deactivated_a"], organisation=world.org_a, role=OrganisationRoleType.ADMIN)
    own = OrganisationRole.objects.get(user=world["admin_a"], role=OrganisationRoleType.ADMIN)

    login(world["admin_a"]).post(revoke_url(own))

    assert OrganisationRole.objects.filter(pk=own.pk).exists()


def test_a_role_of_another_organisation_cannot_be_removed_through_this_one(world: Any, login: Any) -> None:
    """admin_a may manage org A; org B's admin role, addressed through org A's URL, is not found."""
    b_admin = OrganisationRole.objects.get(user=world["admin_b"])
    url = reverse("organisations:role_revoke", args=[world.org_a.pk, b_admin.pk])

    response = login(world["admin_a"]).post(url)

    assert response.status_code == 404
    assert OrganisationRole.objects.filter(pk=b_admin.pk).exists()


# --- Expiry ---------------------------------------------------------------------------------------


def test_a_delegation_grants_signing_until_its_end_date_and_never_visibility(world: Any, login: Any) -> None:
    delegate = UserFactory(email="delegert@example.no")
    RoleFactory(
        user=delegate,
        organisation=world.org_a,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis=SignatoryBasis.DELEGATED,
        valid_until=dt.date(2026, 1, 31),
        delegated_agreements=["membership"],
        granted_by=world["admin_a"],
    )
    url = world.org_a.get_absolute_url()
    sign = reverse("memberships:sign", args=[world.org_a.pk])

    with time_machine.travel(dt.datetime(2026, 1, 31, 23, 30, tzinfo=OSLO), tick=False):
        assert login(delegate).get(url).status_code == 404  # a delegation shows nothing of the organisation
        assert login(delegate).get(sign).status_code == 200  # …but its signing, on the last day too
    # 00:30 in Oslo on 1 February is still 31 January in UTC: the end date follows Norwegian time.
    with time_machine.travel(dt.datetime(2026, 2, 1, 0, 30, tzinfo=OSLO), tick=False):
        response = login(delegate).get(sign)  # a fresh session, so only the role can explain it
        assert response.status_code == 403  # the expired delegation is explained, in the layout
        assert login(world["member_a"]).get(url).status_code == 200  # a role without an end date still counts


def test_an_expired_role_is_not_listed_on_the_organisation_page(world: Any, login: Any) -> None:
    RoleFactory(
        user=UserFactory(full_name="Utløpt Person"),
        organisation=world.org_a,
        role=OrganisationRoleType.SECURITY_CONTACT,
        valid_until=dt.date(2020, 1, 1),
    )

    content = login(world["admin_a"]).get(world.org_a.get_absolute_url()).content.decode()

    assert "Utløpt Person" not in content
    assert "Mette Medlem" in content


# --- Mass assignment ------------------------------------------------------------------------------


def test_extra_posted_fields_have_no_effect(world: Any, login: Any, newcomer: Any) -> None:
    before_b = list(world.org_b.roles.values_list("pk", flat=True))

    response = login(world["admin_a"]).post(
        grant_url(world.org_a),
        {
            "email": "nora.ny@example.no",
            "role": "technical_contact",
            "organisation": world.org_b.pk,
            "organisation_id": world.org_b.pk,
            "granted_by": world["admin_b"].pk,
            "granted_by_id": world["admin_b"].pk,
            "user": world["member_a"].pk,
            "signatory_basis": "general_manager",  # not a field for an org admin
            "valid_until": "2020-01-01",  # not a field for an org admin
            "id": 1,
            "pk": 1,
        },
    )

    assert response.status_code == 302
    grant = OrganisationRole.objects.get(user=newcomer)
    assert grant.organisation == world.org_a
    assert grant.granted_by == world["admin_a"]
    assert grant.signatory_basis == ""
    assert grant.valid_until is None
    assert list(world.org_b.roles.values_list("pk", flat=True)) == before_b
    assert OrganisationRole.objects.filter(user=world["member_a"]).count() == 1


def test_an_org_admin_cannot_smuggle_in_a_signatory_through_the_basis_field(
    world: Any, login: Any, newcomer: Any
) -> None:
    response = login(world["admin_a"]).post(
        grant_url(world.org_a),
        {"email": "nora.ny@example.no", "role": "admin", "signatory_basis": "delegated", "valid_until": "2099-01-01"},
    )

    assert response.status_code == 302
    grant = OrganisationRole.objects.get(user=newcomer)
    assert (grant.role, grant.signatory_basis, grant.valid_until) == ("admin", "", None)


# --- Bad input in the e-mail field ----------------------------------------------------------------

# Each would be a registered person's address, or contains it, if the input were cleaned carelessly.
BAD_EMAILS = {
    "10000-chars": "a" * 9_989 + "@example.no",
    "10000-chars-ending-in-real-address": "a" * 9_982 + "nora.ny@example.no",
    "nul-byte": "nora.ny@example.no\x00",
    "nul-inside": "nora.ny\x00@example.no",
    "script": "<script>alert(1)</script>",
    "script-in-local-part": "<script>alert(1)</script>@example.no",
    "crlf-injection": "nora.ny@example.no\r\nBcc: x@y.no",
    "lf-injection": "nora.ny@example.no\nBcc: x@y.no",
    "emoji-local-part": "nora.😀@example.no",
    "emoji-only": "😀",
    "emoji-domain": "nora.ny@😀.no",
    "rtl-override": "nora.ny@\u202eon.elpmaxe",
    "rtl-override-prefix": "\u202enora.ny@example.no",
    "cyrillic-homoglyph": "nora.ny@ex\u0430mple.no",
    "two-addresses": "nora.ny@example.no, x@y.no",
    "sql": "' OR '1'='1",
    "empty": "",
    "whitespace": "   ",
}


@pytest.mark.parametrize("email", BAD_EMAILS.values(), ids=BAD_EMAILS.keys())
def test_a_bad_e_mail_is_rejected_with_a_form_error_and_stores_nothing(
    world: Any, login: Any, newcomer: Any, email: str
) -> None:
    before = OrganisationRole.objects.count()

    response = login(world["admin_a"]).post(grant_url(world.org_a), {"email": email, "role": "technical_contact"})

    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert OrganisationRole.objects.count() == before
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "Noe må rettes" in content


def test_a_long_e_mail_is_refused_with_the_length_message(world: Any, login: Any) -> None:
    response = login(world["admin_a"]).post(
        grant_url(world.org_a), {"email": "a" * 9_989 + "@example.no", "role": "technical_contact"}
    )

    assert any("254" in error for error in response.context["form"].errors["email"])


def test_a_nul_byte_is_refused_with_its_own_message(world: Any, login: Any) -> None:
    response = login(world["admin_a"]).post(
        grant_url(world.org_a), {"email": "nora.ny@example.no\x00", "role": "technical_contact"}
    )

    assert "Null-tegn er ikke tillatt." in response.context["form"].errors["email"]


def test_an_expired_role_can_be_given_again(world: Any, login: Any) -> None:
    person = UserFactory(email="tilbake@example.no")
    RoleFactory(
        user=person,
        organisation=world.org_a,
        role=OrganisationRoleType.SECURITY_CONTACT,
        valid_until=dt.date(2020, 1, 1),
    )
    response = login(world["admin_a"]).post(
        reverse("organisations:role_grant", args=[world.org_a.pk]),
        {"email": "tilbake@example.no", "role": "security_contact"},
    )
    assert response.status_code == 302
    grant = OrganisationRole.objects.get(user=person, organisation=world.org_a, role="security_contact")
    assert grant.valid_until is None and grant.is_current and grant.granted_by == world["admin_a"]
