"""Signing the membership terms through the sign view: authority, step-up password, exactly once, the sealed PDF,
the audit event and the receipts. Plus the race: many concurrent attempts give one signature (PostgreSQL).

admin_a is general manager (signatory) and administrator of municipality A (Ringsaker); the published terms T1
must be signed by municipalities. Messages are asserted in Norwegian, the default language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from core.audit import verify_chain
from core.models import AuditEvent, OutboundEmail
from enhetsregisteret.tests.fake_register import person_role
from lib import pades
from memberships import documents, services
from memberships.choices import MembershipState
from memberships.models import Membership, MembershipTransition, Signature, TermsVersion
from memberships.tests.conftest import PASSWORD, pdf_text
from organisations.choices import RegisterStatus
from organisations.models import OrganisationRole
from organisations.tests.factories import OrganisationFactory, RoleFactory, UserFactory

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2027, 1, 4, 9, 30, 15, tzinfo=OSLO)


def shown(form: str = "KOMM") -> dict[str, Any]:
    """What the signing form carries: the version on the page and the SHA-256 of its text."""
    version = TermsVersion.objects.current_for(form)
    return {"terms_version": version.pk, "terms_sha256": version.text_sha256} if version else {}


def shown_of(version: Any) -> dict[str, Any]:
    return {"shown_version_id": version.pk, "shown_sha256": version.text_sha256}


def sign_url(org: Any) -> str:
    return reverse("memberships:sign", args=[org.pk])


def stored() -> tuple[int, int, int, int, int]:
    """What a signing attempt can leave behind (a refusal's own record, core.access, aside)."""
    return (
        Signature.objects.count(),
        AuditEvent.objects.exclude(action="access.denied").count(),
        OutboundEmail.objects.count(),
        Membership.objects.exclude(state=MembershipState.NOT_MEMBER).count(),
        MembershipTransition.objects.count(),
    )


def first_revision(signed_pdf: bytes, expected_sha256: str) -> bytes | None:
    """The document as it was before sealing: a prefix of the sealed file ending at an %%EOF marker."""
    for marker in re.finditer(rb"%%EOF\r?\n?", signed_pdf):
        prefix = signed_pdf[: marker.end()]
        if hashlib.sha256(prefix).hexdigest() == expected_sha256:
            return prefix
    return None


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def second_admin(world: Any) -> Any:
    user = UserFactory(email="admin2.a@example.no", full_name="Arne Andreadmin")
    RoleFactory(user=user, organisation=world.org_a, role="admin")
    return user


@pytest.fixture
def delegate(world: Any) -> Any:
    """Dora may sign for A until 31 January 2027, delegated by admin_a."""
    user = UserFactory(email="dora.delegat@example.no", full_name="Dora Delegat")
    services.signing_delegate(
        actor=world["admin_a"], organisation=world.org_a, user=user, until=dt.date(2027, 1, 31), confirm_outsider=True
    )
    return user


# --- refusals ------------------------------------------------------------------------------------------------------


def test_a_wrong_password_gives_400_and_stores_nothing(world: Any, terms: Any, login: Any) -> None:
    before = stored()

    response = login(world["admin_a"]).post(
        sign_url(world.org_a), {"password": "wrong-horse", "confirm": "on", **shown()}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"password": ["Passordet er feil."]}
    # Nothing is stored but the failed step-up's audit event (it counts towards the login limits too).
    assert stored() == (before[0], before[1] + 1, *before[2:])
    assert AuditEvent.objects.order_by("-id").first().action == "auth.step_up_failed"


@pytest.mark.parametrize("confirm", [None, "", "false"])
def test_signing_without_the_confirmation_gives_400_and_stores_nothing(
    world: Any, terms: Any, login: Any, confirm: str | None
) -> None:
    data = {"password": PASSWORD, **shown()} | ({"confirm": confirm} if confirm is not None else {})
    before = stored()

    response = login(world["admin_a"]).post(sign_url(world.org_a), data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["confirm"]
    assert "Bekreft at du har lest avtalen" in response.content.decode()
    assert stored() == before


def test_without_a_password_nothing_is_signed(world: Any, terms: Any, login: Any) -> None:
    before = stored()

    response = login(world["admin_a"]).post(sign_url(world.org_a), {"confirm": "on", **shown()})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["password"]
    assert stored() == before


@pytest.mark.parametrize("persona", ["member_a", "coordinator_a"])
def test_someone_who_can_see_the_organisation_but_has_no_signing_authority_gets_403(
    world: Any, terms: Any, login: Any, persona: str
) -> None:
    client = login(world[persona])
    before = stored()

    assert client.get(sign_url(world.org_a)).status_code == 403
    assert client.post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()}).status_code == 403
    assert stored() == before
    with pytest.raises(PermissionDenied):
        services.terms_sign(
            actor=world[persona],
            organisation=world.org_a,
            version=terms.published,
            password=PASSWORD,
            confirmed=True,
            **shown_of(terms.published),
        )


def test_an_administrator_who_is_not_a_signatory_gets_403(world: Any, terms: Any, login: Any) -> None:
    response = login(world["admin_b"]).post(sign_url(world.org_b), {"password": PASSWORD, "confirm": "on", **shown()})

    assert response.status_code == 403
    assert not Signature.objects.exists()


@pytest.mark.parametrize("persona", ["admin_b", "membership_manager"])
def test_someone_from_elsewhere_cannot_sign_for_the_organisation(
    world: Any, terms: Any, login: Any, persona: str
) -> None:
    response = login(world[persona]).post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()})

    assert response.status_code == {"admin_b": 404, "membership_manager": 403}[persona]
    assert not Signature.objects.exists()


@pytest.mark.parametrize("status", [RegisterStatus.BANKRUPT, RegisterStatus.UNDER_LIQUIDATION, RegisterStatus.DELETED])
def test_an_organisation_that_is_not_in_good_standing_in_the_register_cannot_sign(
    world: Any, terms: Any, login: Any, status: str
) -> None:
    world.org_a.register_status = status
    world.org_a.save()
    before = stored()

    response = login(world["admin_a"]).post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()})

    assert response.status_code == 400
    label = str(RegisterStatus(status).label)
    assert (
        f"Organisasjonen er registrert som «{label}» i Enhetsregisteret og kan ikke inngå nye avtaler."
        in response.content.decode()
    )
    assert stored() == before


def test_a_version_that_is_a_draft_or_not_for_this_organisation_cannot_be_signed(
    world: Any, terms: Any, register_roles: Any
) -> None:
    sole_proprietor = OrganisationFactory(name="Legen ENK", form="ENK")
    RoleFactory(
        user=world["admin_a"], organisation=sole_proprietor, role="signatory", signatory_basis="general_manager"
    )

    for organisation, version in [(world.org_a, terms.draft), (sole_proprietor, terms.published)]:
        with pytest.raises(ValidationError) as raised:
            services.terms_sign(
                actor=world["admin_a"],
                organisation=organisation,
                version=version,
                password=PASSWORD,
                confirmed=True,
                **shown_of(version),
            )
        assert raised.value.messages == ["Denne organisasjonen skal ikke signere denne versjonen av vilkårene."]
    assert not Signature.objects.exists()


# --- signing -------------------------------------------------------------------------------------------------------


def test_signing_stores_one_signature_with_a_sealed_pdf_that_verifies(
    world: Any, terms: Any, login: Any, second_admin: Any, tmp_path: Any
) -> None:
    signer = world["admin_a"]

    response = login(signer).post(
        sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()}, HTTP_USER_AGENT="Testleser/1.0"
    )

    signature = Signature.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("memberships:signed", args=[signature.pk])
    assert (signature.organisation, signature.terms_version, signature.signer) == (world.org_a, terms.published, signer)
    # The basis is what Enhetsregisteret says: DAGL, when the register was read, and the entry matched.
    assert (signature.signer_name, signature.basis, signature.basis_role_code) == (
        "Anne Admin",
        "enhetsregisteret:DAGL",
        "DAGL",
    )
    assert signature.basis_read_at == NOW
    assert signature.basis_entry["name"] == "Anne Admin" and signature.basis_entry["birth_date"] == "1971-03-14"
    assert signature.basis_text == "Daglig leder i Enhetsregisteret (DAGL), lest 04.01.2027 09:30: Anne Admin"
    assert signature.signed_at == NOW
    assert (signature.ip_address, signature.user_agent) == ("127.0.0.1", "Testleser/1.0")

    sealed = bytes(signature.signed_pdf)
    result = pades.verify(sealed, trust_roots=documents.trust_roots())
    assert result.ok, result
    assert result.sha256 == signature.signed_pdf_sha256 == hashlib.sha256(sealed).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", signature.document_sha256)
    assert first_revision(sealed, signature.document_sha256) is not None, "document_sha256 is not the signed document"
    text = pdf_text(sealed, tmp_path)
    for expected in ["Ringsaker", world.org_a.formatted_org_number, "Anne Admin", "Daglig leder i Enhetsregisteret"]:
        assert expected in text
    assert "04.01.2027 09:30:15" in text
    assert terms.published.text_sha256[:40] in "".join(text.split())

    membership = Membership.objects.get(organisation=world.org_a)
    assert (membership.state, membership.signed_version) == (MembershipState.ACTIVE, terms.published)
    event = AuditEvent.objects.get(action="agreement.signed")
    assert (event.actor, event.object_id, event.organisation_id) == (signer, str(signature.pk), world.org_a.pk)
    assert event.after["document_sha256"] == signature.document_sha256
    assert event.after["signed_pdf_sha256"] == signature.signed_pdf_sha256
    assert event.after["terms_sha256"] == terms.published.text_sha256
    assert event.after["ip_address"] == "127.0.0.1"
    assert verify_chain().ok


def test_the_receipt_with_the_signed_pdf_goes_to_the_signer_and_the_administrators_only(
    world: Any, terms: Any, login: Any, second_admin: Any, run_worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        login(world["admin_a"]).post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()})
    signature = Signature.objects.get()

    receipts = list(OutboundEmail.objects.order_by("to"))
    assert [r.to for r in receipts] == ["admin.a@example.no", "admin2.a@example.no"]  # not member_a, not deactivated_a
    for receipt in receipts:
        assert receipt.key == f"receipt:{signature.pk}:{receipt.to}"
        assert receipt.subject == "Kvittering: Ringsaker har signert medlemsvilkårene T1"
        assert receipt.attachment_name == f"medlemsavtale-{world.org_a.org_number}-T1.pdf"
        assert bytes(receipt.attachment) == bytes(signature.signed_pdf)
        assert signature.signed_pdf_sha256 in receipt.body_text

    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == ["admin.a@example.no", "admin2.a@example.no"]
    for message in mail.outbox:
        assert message.attachments == [
            (f"medlemsavtale-{world.org_a.org_number}-T1.pdf", bytes(signature.signed_pdf), "application/pdf")
        ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_signing_again_shows_who_signed_and_still_leaves_one_signature(world: Any, terms: Any, login: Any) -> None:
    client = login(world["admin_a"])
    client.post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()})
    before = stored()

    response = client.post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()})

    assert response.status_code == 200
    assert "Vilkårene T1 ble signert av Anne Admin" in response.content.decode()
    assert 'name="password"' not in response.content.decode()
    assert stored() == before
    assert AuditEvent.objects.filter(action="agreement.signed").count() == 1


def test_the_service_answers_a_second_attempt_with_already_signed_by_whom_and_when(
    world: Any, terms: Any, second_admin: Any, register_roles: Any
) -> None:
    RoleFactory(user=second_admin, organisation=world.org_a, role="signatory", signatory_basis="procuration")
    second_admin.birth_date = dt.date(1980, 2, 2)
    second_admin.save()
    register_roles.set(
        world.org_a,
        person_role("DAGL", "Anne", "Admin", "1971-03-14"),
        person_role("PROK", "Arne", "Andreadmin", "1980-02-02"),
    )
    first = services.terms_sign(
        actor=world["admin_a"],
        organisation=world.org_a,
        version=terms.published,
        password=PASSWORD,
        confirmed=True,
        **shown_of(terms.published),
    )
    before = stored()

    with pytest.raises(services.AlreadySigned) as raised:
        services.terms_sign(
            actor=second_admin,
            organisation=world.org_a,
            version=terms.published,
            password=PASSWORD,
            confirmed=True,
            **shown_of(terms.published),
        )

    assert raised.value.signature == first
    assert raised.value.messages == ["Allerede signert av Anne Admin 04.01.2027 09:30."]
    assert stored() == before


def test_posted_fields_for_organisation_signer_or_time_are_ignored(world: Any, terms: Any, login: Any) -> None:
    forged = {
        "password": PASSWORD,
        "confirm": "on",
        "organisation": world.org_b.pk,
        "organisation_id": world.org_b.pk,
        **shown(),
        "signer": world["admin_b"].pk,
        "signer_id": world["admin_b"].pk,
        "signer_name": "Falsk Navn",
        "signed_at": "2001-01-01T00:00:00Z",
        "basis": "procuration",
        "basis_text": "Forfalsket fullmakt",
        "document_sha256": "0" * 64,
        "ip_address": "10.9.8.7",
    }

    response = login(world["admin_a"]).post(sign_url(world.org_a), forged)

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.organisation, signature.terms_version, signature.signer) == (
        world.org_a,
        terms.published,
        world["admin_a"],
    )
    assert (signature.signer_name, signature.signed_at, signature.basis) == ("Anne Admin", NOW, "enhetsregisteret:DAGL")
    assert signature.basis_text == "Daglig leder i Enhetsregisteret (DAGL), lest 04.01.2027 09:30: Anne Admin"
    assert signature.document_sha256 != "0" * 64
    assert signature.ip_address == "127.0.0.1"
    assert not Signature.objects.filter(organisation=world.org_b).exists()


# --- delegated authority ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_delegated_signatory_signs_and_the_agreement_says_who_delegated_it_in_norwegian(
    world: Any, terms: Any, login: Any, delegate: Any, tmp_path: Any, language: str
) -> None:
    """The agreement is Norwegian whatever the signer's browser language (memberships/documents.py)."""
    response = login(delegate).post(
        sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()}, HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.signer, signature.basis) == (delegate, "delegated")
    assert signature.basis_text == "Delegert av Anne Admin til og med 31.01.2027"
    text = " ".join(pdf_text(bytes(signature.signed_pdf), tmp_path).split())
    assert "Dora Delegat" in text
    assert "Delegert av Anne Admin til og med 31.01.2027" in text
    assert pades.verify(bytes(signature.signed_pdf), trust_roots=documents.trust_roots()).ok
    assert AuditEvent.objects.get(action="agreement.signed").after["basis_text"] == signature.basis_text
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {"dora.delegat@example.no", "admin.a@example.no"}


def test_a_delegation_signs_on_its_last_day_but_not_the_day_after(
    world: Any, terms: Any, login: Any, delegate: Any, frozen_clock: Any
) -> None:
    frozen_clock.move_to(dt.datetime(2027, 2, 1, 8, 0, tzinfo=OSLO))
    client = login(delegate)

    # An expired delegation is explained (when, by whom), in the portal's layout; nothing else of A shows.
    expired = client.get(sign_url(world.org_a))
    assert expired.status_code == 403
    assert (
        "Anne Admin delegerte signering for Ringsaker til deg til og med 31. januar 2027." in expired.content.decode()
    )
    assert 'name="password"' not in expired.content.decode()
    assert client.post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()}).status_code == 403
    assert client.get(reverse("organisations:organisation_detail", args=[world.org_a.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.terms_sign(
            actor=delegate,
            organisation=world.org_a,
            version=terms.published,
            password=PASSWORD,
            confirmed=True,
            **shown_of(terms.published),
        )
    assert not Signature.objects.exists()

    frozen_clock.move_to(dt.datetime(2027, 1, 31, 23, 30, tzinfo=OSLO))
    assert client.post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()}).status_code == 302
    assert Signature.objects.get().signer == delegate


def test_a_revoked_delegation_cannot_sign(world: Any, terms: Any, login: Any, delegate: Any) -> None:
    grant = OrganisationRole.objects.get(user=delegate, role="signatory")
    services.signing_delegation_revoke(actor=world["admin_a"], grant=grant)

    response = login(delegate).post(sign_url(world.org_a), {"password": PASSWORD, "confirm": "on", **shown()})

    assert response.status_code == 404
    assert not Signature.objects.exists()


# --- the race --------------------------------------------------------------------------------------------------------


ATTEMPTS = 16


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_attempts_give_one_signature_one_pdf_one_event_and_fifteen_already_signed(
    world: Any, terms: Any, second_admin: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions: run with DATABASE_URL=postgres://…")
    ids = {"user": world["admin_a"].pk, "org": world.org_a.pk, "version": terms.published.pk}
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[tuple[str, Any]] = []
    lock = threading.Lock()

    def attempt() -> None:
        from accounts.models import User
        from organisations.models import Organisation

        try:
            user = User.objects.get(pk=ids["user"])
            organisation = Organisation.objects.get(pk=ids["org"])
            version = TermsVersion.objects.get(pk=ids["version"])
            barrier.wait(timeout=30)
            signature = services.terms_sign(
                actor=user,
                organisation=organisation,
                version=version,
                password=PASSWORD,
                confirmed=True,
                **shown_of(version),
            )
            outcome: tuple[str, Any] = ("signed", signature.pk)
        except services.AlreadySigned as exc:
            outcome = ("already", (exc.signature.pk, exc.messages[0]))
        except Exception as exc:  # counted: there must be none
            outcome = ("error", repr(exc))
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    kinds = Counter(kind for kind, _ in outcomes)
    signature = Signature.objects.get()
    receipts = OutboundEmail.objects.filter(key__startswith="receipt:")
    receipt_sets = {key.split(":")[1] for key in receipts.values_list("key", flat=True)}
    print(
        f"\nrace: {ATTEMPTS} attempts -> {dict(kinds)}; signatures={Signature.objects.count()}, "
        f"agreement.signed events={AuditEvent.objects.filter(action='agreement.signed').count()}, "
        f"receipt sets={len(receipt_sets)} ({receipts.count()} e-mails), chain ok={verify_chain().ok}"
    )
    assert kinds == {"signed": 1, "already": ATTEMPTS - 1}, [o for o in outcomes if o[0] == "error"]
    assert [value for kind, value in outcomes if kind == "signed"] == [signature.pk]
    expected_message = f"Allerede signert av Anne Admin {signature.signed_at.astimezone(OSLO):%d.%m.%Y %H:%M}."
    assert {value for kind, value in outcomes if kind == "already"} == {(signature.pk, expected_message)}
    assert Signature.objects.filter(signed_pdf_sha256=signature.signed_pdf_sha256).count() == 1
    assert pades.verify(bytes(signature.signed_pdf), trust_roots=documents.trust_roots()).ok
    assert AuditEvent.objects.filter(action="agreement.signed").count() == 1
    assert AuditEvent.objects.get(action="agreement.signed").object_id == str(signature.pk)
    assert receipt_sets == {str(signature.pk)}
    assert sorted(receipts.values_list("key", flat=True)) == [
        f"receipt:{signature.pk}:admin.a@example.no",
        f"receipt:{signature.pk}:admin2.a@example.no",
    ]
    assert Membership.objects.get(organisation=world.org_a).state == MembershipState.ACTIVE
    assert MembershipTransition.objects.count() == 1
    report = verify_chain()
    assert report.ok, report
