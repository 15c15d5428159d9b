"""Signing services in one go (sign_services): authority, step-up, membership, prerequisites, and the evidence.

Org A (Ringsaker) has signed the membership terms (fixture ``member_a``); admin_a is its general manager.
Messages are checked by the service names they must name, which read the same in every language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from agreements import documents
from agreements.choices import AgreementState
from agreements.models import ServiceAgreement, ServiceSigning
from agreements.services import NothingToSign, Selection, selection_items, sign_services
from agreements.tests.factories import PASSWORD, make_agreement, publish_new_terms, service
from core.models import AuditEvent, OutboundEmail
from lib import pades
from memberships import documents as membership_documents
from memberships.tests.conftest import pdf_text
from orders.choices import OrderState
from orders.models import Order, OrderEvent

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2027, 3, 2, 10, 15, 30, tzinfo=OSLO)  # after the test CA was made


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def stored() -> tuple[Any, ...]:
    """Everything a signing attempt could leave behind."""
    return (
        ServiceSigning.objects.count(),
        Order.objects.count(),
        OrderEvent.objects.count(),
        AuditEvent.objects.count(),
        OutboundEmail.objects.count(),
        sorted(ServiceAgreement.objects.values_list("pk", "state", "terms_version_id", "signing_id")),
    )


def sign(world: Any, selection: Selection, *, actor: str = "admin_a", **kwargs: Any) -> Any:
    """Sign as the review step would: with the list it showed, and ending confirmed on its own step."""
    arguments = {
        "password": PASSWORD,
        "confirmed": True,
        "shown": selection_items(world.org_a, selection),
        "drop_confirmed": True,
        **kwargs,
    }
    return sign_services(actor=world[actor], organisation=world.org_a, selection=selection, **arguments)


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


@pytest.fixture
def outdated(member_a: Any) -> Any:
    """A holds Helsenettforbindelse (now on old terms: must re-sign) and HelseID (up to date)."""
    connection = make_agreement(member_a.org_a, "helsenettforbindelse")
    helseid = make_agreement(member_a.org_a, "helseid")
    new_version = publish_new_terms("helsenettforbindelse", actor=member_a["membership_manager"])
    connection.refresh_from_db()
    assert connection.state == AgreementState.MUST_RESIGN
    return type("Outdated", (), {"connection": connection, "helseid": helseid, "version": new_version})


# --- refusals: nothing stored -------------------------------------------------------------------------------------


def test_wrong_password_is_refused_and_nothing_is_stored(member_a: Any, outdated: Any) -> None:
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(member_a, Selection(keep=[outdated.connection], order=[service("domene")]), password="wrong")
    assert "password" in exc.value.message_dict
    # Nothing is stored but the failed step-up's audit event (it counts towards the login limits too).
    after = stored()
    assert after[:3] == before[:3] and after[4:] == before[4:] and after[3] == before[3] + 1
    assert AuditEvent.objects.order_by("-id").first().action == "auth.step_up_failed"


def test_without_confirmation_is_refused_and_nothing_is_stored(member_a: Any, outdated: Any) -> None:
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(member_a, Selection(keep=[outdated.connection]), confirmed=False)
    assert "confirm" in exc.value.message_dict
    assert stored() == before


@pytest.mark.parametrize("persona", ["member_a", "admin_b", "customer_centre", "superuser"])
def test_someone_without_signatory_authority_is_refused(member_a: Any, outdated: Any, persona: str) -> None:
    before = stored()
    with pytest.raises(PermissionDenied):
        sign(member_a, Selection(keep=[outdated.connection]), actor=persona)
    assert stored() == before


def test_an_organisation_whose_membership_is_not_active_cannot_sign(world: Any, terms: Any, catalogue: Any) -> None:
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(world, Selection(order=[service("helsenettforbindelse")]))
    assert not hasattr(exc.value, "error_dict")
    assert stored() == before


def test_an_empty_selection_is_refused(member_a: Any) -> None:
    before = stored()
    with pytest.raises(NothingToSign):
        sign(member_a, Selection())
    assert stored() == before


def test_ordering_a_service_without_its_prerequisites_names_them(member_a: Any) -> None:
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(member_a, Selection(order=[service("kjernejournal")]))
    text = messages(exc)
    assert "Kjernejournal" in text
    assert "HelseID" in text and "Helsenettforbindelse" in text
    assert len(exc.value.messages) == 2  # one sentence per missing prerequisite
    assert stored() == before


def test_a_prerequisite_already_held_counts(member_a: Any, outdated: Any) -> None:
    """A holds the connection and HelseID: Kjernejournal alone can be ordered."""
    signing = sign(member_a, Selection(order=[service("kjernejournal")]))
    assert [o.service.slug for o in signing.orders.all()] == ["kjernejournal"]


def test_a_prerequisite_already_ordered_counts(member_a: Any) -> None:
    sign(member_a, Selection(order=[service("helsenettforbindelse")]))
    signing = sign(member_a, Selection(order=[service("e-resept")]))
    assert signing.orders.get().service.slug == "e-resept"


def test_ordering_a_service_together_with_its_prerequisites_works(member_a: Any) -> None:
    wanted = [service("kjernejournal"), service("helseid"), service("helsenettforbindelse")]
    signing = sign(member_a, Selection(order=wanted))
    orders = Order.objects.filter(signing=signing)
    assert sorted(o.service.slug for o in orders) == ["helseid", "helsenettforbindelse", "kjernejournal"]
    assert {o.state for o in orders} == {OrderState.SUBMITTED}


def test_dropping_a_service_a_kept_one_needs_is_refused(member_a: Any) -> None:
    connection = make_agreement(member_a.org_a, "helsenettforbindelse", state=AgreementState.MUST_RESIGN)
    prescriptions = make_agreement(member_a.org_a, "e-resept", state=AgreementState.MUST_RESIGN)
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(member_a, Selection(keep=[prescriptions], drop=[connection]))
    assert "E-resept" in messages(exc) and "Helsenettforbindelse" in messages(exc)
    assert stored() == before


def test_dropping_a_service_an_untouched_live_one_needs_is_refused(member_a: Any) -> None:
    connection = make_agreement(member_a.org_a, "helsenettforbindelse", state=AgreementState.MUST_RESIGN)
    make_agreement(member_a.org_a, "adresseregisteret")  # active, not in the selection, needs the connection
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(member_a, Selection(drop=[connection], order=[service("domene")]))
    assert "Adresseregisteret" in messages(exc)
    assert stored() == before


def test_ordering_what_is_already_held_is_refused(member_a: Any, outdated: Any) -> None:
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(member_a, Selection(order=[service("helseid")]))
    assert "HelseID" in messages(exc)
    assert stored() == before


def test_a_planned_service_cannot_be_ordered(member_a: Any) -> None:
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(member_a, Selection(order=[service("helsenett-sky")]))
    assert "Helsenett i skyen" in messages(exc)
    assert stored() == before


def test_a_service_for_other_organisation_forms_cannot_be_ordered(member_a: Any) -> None:
    digihelse = service("digihelse")
    digihelse.orderable_forms = ["AS"]
    digihelse.save()
    before = stored()
    with pytest.raises(ValidationError) as exc:
        sign(member_a, Selection(order=[digihelse, service("helsenorge")]))
    assert "DigiHelsestasjon" in messages(exc)
    assert stored() == before


# --- success: the evidence ----------------------------------------------------------------------------------------


def test_signing_stores_sealed_evidence_resigns_orders_audits_and_sends_a_receipt(
    member_a: Any, outdated: Any, outbox: Any, tmp_path: Any
) -> None:
    world = member_a
    audit_before = AuditEvent.objects.count()
    selection = Selection(keep=[outdated.connection], order=[service("kjernejournal")])

    signing = outbox(lambda: sign(world, selection, ip_address="10.0.0.7", user_agent="Testleser/1.0"))

    assert ServiceSigning.objects.get() == signing
    assert (signing.organisation, signing.signer, signing.signer_name) == (world.org_a, world["admin_a"], "Anne Admin")
    assert (signing.basis, signing.basis_role_code) == ("enhetsregisteret:DAGL", "DAGL")
    assert signing.basis_entry["name"] == "Anne Admin" and signing.basis_read_at is not None
    assert signing.signed_at == NOW
    assert (signing.ip_address, signing.user_agent) == ("10.0.0.7", "Testleser/1.0")
    # the items: what was signed, under which terms, with the hash of the exact text accepted
    assert [(i["slug"], i["action"], i["terms"]) for i in signing.items] == [
        ("helsenettforbindelse", "resign", "2026.1"),
        ("kjernejournal", "order", "2025.1"),
    ]
    connection_text = outdated.version.text_for("KOMM")
    assert signing.items[0]["text_sha256"] == hashlib.sha256(connection_text.encode()).hexdigest()
    assert signing.items[0]["terms_sha256"] == outdated.version.text_sha256
    # the sealed PDF verifies against the portal's trust root, and is what is stored
    sealed = bytes(signing.signed_pdf)
    result = pades.verify(sealed, trust_roots=membership_documents.trust_roots())
    assert result.ok, result
    assert result.sha256 == signing.signed_pdf_sha256 == hashlib.sha256(sealed).hexdigest()
    text = pdf_text(sealed, tmp_path)
    for expected in ["Ringsaker", "Anne Admin", "Helsenettforbindelse", "Kjernejournal", "02.03.2027 10:15:30"]:
        assert expected in text
    # the agreement on old terms is re-signed to the current version and active again
    outdated.connection.refresh_from_db()
    assert outdated.connection.state == AgreementState.ACTIVE
    assert outdated.connection.terms_version == outdated.version
    assert outdated.connection.signing == signing
    # the up-to-date agreement was not part of it
    outdated.helseid.refresh_from_db()
    assert outdated.helseid.signing is None
    # the new service is ordered, pointing at the signing
    order = Order.objects.get()
    assert (order.service.slug, order.state, order.signing, order.submitted_at) == (
        "kjernejournal",
        OrderState.SUBMITTED,
        signing,
        NOW,
    )
    # the audit event of legal weight
    event = AuditEvent.objects.get(action="services.signed")
    assert event.object_id == str(signing.pk)
    assert event.organisation_id == world.org_a.pk
    assert event.after["signed_pdf_sha256"] == signing.signed_pdf_sha256
    assert event.after["items"] == signing.items
    assert set(AuditEvent.objects.values_list("action", flat=True)[audit_before:]) >= {
        "services.signed",
        "order.submitted",
    }
    # the receipt, with the sealed PDF attached
    receipts = [m for m in mail.outbox if m.attachments]
    assert [m.to for m in receipts] == [["admin.a@example.no"]]
    name, content, mimetype = receipts[0].attachments[0]
    assert mimetype == "application/pdf"
    assert name == documents.filename(signing)
    assert bytes(content) == sealed
    assert "Ringsaker" in receipts[0].subject


def test_dropping_only_ends_agreements_without_a_signing(member_a: Any) -> None:
    domain = make_agreement(member_a.org_a, "domene", state=AgreementState.MUST_RESIGN)
    assert sign(member_a, Selection(drop=[domain])) is None
    domain.refresh_from_db()
    assert domain.state == AgreementState.TERMINATED
    assert domain.terminated_at == NOW
    assert ServiceSigning.objects.count() == 0
    assert AuditEvent.objects.filter(action="service_agreement.terminated").count() == 1


def test_an_agreement_that_ended_meanwhile_is_refused(member_a: Any, outdated: Any) -> None:
    outdated.connection.state = AgreementState.TERMINATED
    outdated.connection.save()
    before = stored()
    with pytest.raises(ValidationError):
        sign(member_a, Selection(keep=[outdated.connection]))
    assert stored() == before


def test_ordering_the_connection_plans_a_connection(member_a: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "connections.services.plan_connection_for_order", lambda **kwargs: calls.append(kwargs), raising=False
    )
    signing = sign(member_a, Selection(order=[service("helsenettforbindelse")]))
    order = signing.orders.get()
    assert calls == [{"organisation": member_a.org_a, "actor": member_a["admin_a"], "order": order}]


def test_ordering_another_service_plans_no_connection(member_a: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(
        "connections.services.plan_connection_for_order", lambda **kwargs: calls.append(kwargs), raising=False
    )
    sign(member_a, Selection(order=[service("domene")]))
    assert calls == []
