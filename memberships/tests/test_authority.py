"""Who may sign is read from the register, and a signature binds exactly the text that was shown.

Kari Nordmann is the municipal director of Ringsaker: Enhetsregisteret lists her as DAGL. Messages are
asserted in Norwegian, the default language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from enhetsregisteret.tests.fake_register import person_role
from memberships import services
from memberships.models import Signature, TermsVersion
from memberships.tests.conftest import PASSWORD
from organisations import services as organisation_services
from organisations.tests.factories import RoleFactory, UserFactory


def sign_url(org: Any) -> str:
    return reverse("memberships:sign", args=[org.pk])


def shown_fields(version: Any) -> dict[str, Any]:
    return {"terms_version": version.pk, "terms_sha256": version.text_sha256}


@pytest.fixture
def kari(world: Any, register_roles: Any) -> Any:
    """Kari, as the ID-porten login leaves her account (name and birth date), signatory of Ringsaker in the
    portal; the register says she is its general manager (DAGL)."""
    user = UserFactory(email="kari@example.no", full_name="Kari Nordmann", birth_date=dt.date(1971, 3, 14))
    RoleFactory(user=user, organisation=world.org_a, role="signatory", signatory_basis="general_manager")
    register_roles.set(
        world.org_a,
        person_role("DAGL", "Kari", "Nordmann", "1971-03-14", description="Daglig leder/ adm.direktør"),
        person_role("LEDE", "Anne", "Admin", "1971-03-14", description="Styrets leder"),
    )
    return user


def test_kari_signs_because_the_register_says_she_is_dagl(world: Any, terms: Any, login: Any, kari: Any) -> None:
    client = login(kari)
    page = client.get(sign_url(world.org_a))
    assert page.status_code == 200
    assert "Daglig leder i Enhetsregisteret (DAGL)" in page.content.decode()

    response = client.post(
        sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown_fields(terms.published)}
    )

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.signer, signature.basis, signature.basis_role_code) == (kari, "enhetsregisteret:DAGL", "DAGL")
    assert signature.basis_entry == {
        "name": "Kari Nordmann",
        "birth_date": "1971-03-14",
        "code": "DAGL",
        "description": "Daglig leder/ adm.direktør",
    }
    assert signature.basis_read_at is not None and signature.basis_read_at <= timezone.now()
    assert signature.basis_text.startswith("Daglig leder i Enhetsregisteret (DAGL), lest ")
    event = AuditEvent.objects.get(action="agreement.signed")
    assert (event.after["role_code"], event.after["matched_entry"]["name"]) == ("DAGL", "Kari Nordmann")


def test_a_signatory_the_register_does_not_list_cannot_sign_and_is_told_why_and_what_to_do(
    world: Any, terms: Any, login: Any, kari: Any, register_roles: Any
) -> None:
    register_roles.set(world.org_a, person_role("DAGL", "Per", "Person", "1960-01-01"))
    client = login(kari)

    page = client.get(sign_url(world.org_a))
    posted = client.post(
        sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown_fields(terms.published)}
    )

    for response in (page, posted):
        assert response.status_code == 403
        content = response.content.decode()
        assert "Du kan ikke signere for Ringsaker" in content
        assert "oppgir ingen daglig leder, innehaver, signatur eller prokura for Ringsaker" in content
        assert "delegere signering til deg" in content and "kundesenteret" in content
        assert 'name="password"' not in content
    assert not Signature.objects.exists()


def test_a_partial_name_match_is_refused_with_the_reason(
    world: Any, terms: Any, login: Any, kari: Any, register_roles: Any
) -> None:
    register_roles.set(world.org_a, person_role("DAGL", "Karin", "Nordmann", "1971-03-14"))

    page = login(kari).get(sign_url(world.org_a))

    assert page.status_code == 403
    assert "men navnet (Karin Nordmann) stemmer ikke helt med ditt" in page.content.decode()


def test_a_staff_override_is_audited_with_reason_and_end_date_and_shown_as_such_on_the_signature(
    world: Any, terms: Any, login: Any
) -> None:
    person = UserFactory(email="fungerende@example.no", full_name="Frida Fungerende")
    grant = organisation_services.role_grant(
        actor=world["membership_manager"],
        organisation=world.org_a,
        user=person,
        role="signatory",
        signatory_basis="staff_override",
        valid_until=timezone.localdate() + dt.timedelta(days=30),
        override_reason="Konstituert kommunedirektør, ikke registrert ennå",
    )
    event = AuditEvent.objects.get(action="signatory.override_granted")
    assert (event.actor, event.reason) == (
        world["membership_manager"],
        "Konstituert kommunedirektør, ikke registrert ennå",
    )

    response = login(person).post(
        sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown_fields(terms.published)}
    )

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.basis == "staff_override" and signature.basis_role_code == ""
    assert signature.basis_text == (
        "Overstyrt av NHN (ikke fra Enhetsregisteret): Konstituert kommunedirektør, ikke registrert ennå; "
        f"til og med {grant.valid_until:%d.%m.%Y}"
    )


def test_an_override_without_reason_or_end_date_is_refused(world: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        organisation_services.role_grant(
            actor=world["membership_manager"],
            organisation=world.org_a,
            user=UserFactory(),
            role="signatory",
            signatory_basis="staff_override",
        )
    assert set(raised.value.message_dict) == {"valid_until", "override_reason"}


def test_a_version_published_while_the_page_is_open_is_not_signed_and_the_change_is_shown(
    world: Any, terms: Any, login: Any
) -> None:
    client = login(world["admin_a"])
    page = client.get(sign_url(world.org_a))
    shown = {
        "terms_version": page.context["form"]["terms_version"].value(),
        "terms_sha256": terms.published.text_sha256,
    }
    assert shown["terms_version"] == terms.published.pk

    # Meanwhile NHN publishes T2 for municipalities.
    terms.draft.required_forms = ["KOMM"]
    terms.draft.effective_date = terms.published.effective_date + dt.timedelta(days=1)
    terms.draft.save()
    services.terms_publish(actor=world["membership_manager"], version=terms.draft)
    terms.draft.refresh_from_db()
    assert TermsVersion.objects.current_for("KOMM") == terms.draft
    events = AuditEvent.objects.count()

    response = client.post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown})

    assert response.status_code == 409
    assert not Signature.objects.exists()
    assert AuditEvent.objects.count() == events
    content = response.content.decode()
    assert (
        "Vilkårene ble endret mens du hadde siden åpen: du leste T1, og T2 er nå versjonen som skal signeres."
        in content
    )
    assert terms.draft.text_sha256[:12] in content
    # The form now carries T2: signing again binds T2, which is what the page shows.
    again = client.post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown_fields(terms.draft)})
    assert again.status_code == 302
    assert Signature.objects.get().terms_version == terms.draft


def test_a_hash_that_does_not_match_the_text_is_refused(world: Any, terms: Any, login: Any) -> None:
    response = login(world["admin_a"]).post(
        sign_url(world.org_a),
        {"password": PASSWORD, "confirm": "on", "terms_version": terms.published.pk, "terms_sha256": "0" * 64},
    )
    assert response.status_code == 409
    assert not Signature.objects.exists()
