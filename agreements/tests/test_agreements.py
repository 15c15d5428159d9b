"""New service terms make agreements "must re-sign"; ending an agreement (signatory only) ends what needs it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agreements.choices import AgreementState, TermsStatus
from agreements.models import ServiceAgreement, ServiceTermsVersion
from agreements.services import agreement_terminate, service_terms_publish, termination_impact
from agreements.tests.factories import make_agreement, service
from core.models import AuditEvent, OutboundEmail


def states() -> dict[tuple[int, str], str]:
    return {(a.organisation_id, a.service.slug): a.state for a in ServiceAgreement.objects.select_related("service")}


# --- publishing new terms ---------------------------------------------------------------------------------------


@pytest.fixture
def holders(world: Any, catalogue: Any) -> Any:
    """A and B hold Helsenettforbindelse on 2025.1; Bergen Legesenter's ended; A also holds HelseID."""
    make_agreement(world.org_a, "helsenettforbindelse")
    make_agreement(world.org_b, "helsenettforbindelse")
    make_agreement(world.enterprise_b, "helsenettforbindelse", state=AgreementState.TERMINATED)
    make_agreement(world.org_a, "helseid")
    return world


def draft(slug: str = "helsenettforbindelse", label: str = "2026.1", text: str = "## Nye vilkår") -> Any:
    return ServiceTermsVersion.objects.create(service=service(slug), label=label, general_terms=text)


def test_publishing_makes_live_agreements_on_older_terms_must_resign(holders: Any, outbox: Any) -> None:
    world = holders
    version = draft()

    count = outbox(lambda: service_terms_publish(actor=world["membership_manager"], version=version))

    assert count == 2
    version.refresh_from_db()
    assert version.status == TermsStatus.PUBLISHED
    assert version.published_at is not None and len(version.text_sha256) == 64
    assert states() == {
        (world.org_a.pk, "helsenettforbindelse"): AgreementState.MUST_RESIGN,
        (world.org_b.pk, "helsenettforbindelse"): AgreementState.MUST_RESIGN,
        (world.enterprise_b.pk, "helsenettforbindelse"): AgreementState.TERMINATED,
        (world.org_a.pk, "helseid"): AgreementState.ACTIVE,
    }
    # one e-mail per organisation, to who hears about its membership
    keys = sorted(OutboundEmail.objects.filter(key__startswith="service-resign:").values_list("to", flat=True))
    assert keys == ["admin.a@example.no", "admin.b@example.no"]
    assert sorted(m.to[0] for m in mail.outbox) == ["admin.a@example.no", "admin.b@example.no"]
    assert all("Helsenettforbindelse" in m.subject for m in mail.outbox)
    event = AuditEvent.objects.get(action="service_terms.published")
    assert event.after == {"service": "helsenettforbindelse", "label": "2026.1", "sha256": version.text_sha256}


def test_an_organisation_with_several_recipients_gets_it_once_each(holders: Any) -> None:
    from organisations.tests.factories import RoleFactory, UserFactory

    RoleFactory(user=UserFactory(email="admin2.a@example.no"), organisation=holders.org_a, role="admin")
    service_terms_publish(actor=holders["membership_manager"], version=draft())
    to_a = OutboundEmail.objects.filter(key__startswith="service-resign:", to__endswith=".a@example.no")
    assert sorted(to_a.values_list("to", flat=True)) == ["admin.a@example.no", "admin2.a@example.no"]


def test_publishing_twice_is_refused_and_changes_nothing(holders: Any) -> None:
    version = draft()
    service_terms_publish(actor=holders["membership_manager"], version=version)
    version.refresh_from_db()
    before = (
        version.published_at,
        version.text_sha256,
        states(),
        AuditEvent.objects.count(),
        OutboundEmail.objects.count(),
    )

    with pytest.raises(ValidationError):
        service_terms_publish(actor=holders["system_admin"], version=version)

    version.refresh_from_db()
    assert (
        version.published_at,
        version.text_sha256,
        states(),
        AuditEvent.objects.count(),
        OutboundEmail.objects.count(),
    ) == before
    assert version.published_by == holders["membership_manager"]


def test_terms_without_text_are_not_published(holders: Any) -> None:
    version = draft(text="   ")
    with pytest.raises(ValidationError) as exc:
        service_terms_publish(actor=holders["membership_manager"], version=version)
    assert "general_terms" in exc.value.message_dict
    version.refresh_from_db()
    assert version.status == TermsStatus.DRAFT
    assert set(states().values()) == {AgreementState.ACTIVE, AgreementState.TERMINATED}


def test_the_terms_page_publishes_for_a_membership_manager(holders: Any, login: Any) -> None:
    client = login(holders["membership_manager"])
    url = reverse("agreements:terms_new", args=["helsenettforbindelse"])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"label": "2026.1", "general_terms": "## Nye vilkår", "special_KOMM": "For kommuner.", "confirm": "on"}
    )
    assert response.status_code == 302
    version = ServiceTermsVersion.objects.get(label="2026.1")
    assert version.is_published
    assert version.special_terms == {"KOMM": "For kommuner."}
    assert states()[(holders.org_a.pk, "helsenettforbindelse")] == AgreementState.MUST_RESIGN


def test_the_terms_page_refuses_a_label_used_before(holders: Any, login: Any) -> None:
    client = login(holders["membership_manager"])
    url = reverse("agreements:terms_new", args=["helsenettforbindelse"])
    response = client.post(url, {"label": "2025.1", "general_terms": "## Igjen", "confirm": "on"})
    assert response.status_code == 400
    assert ServiceTermsVersion.objects.filter(service__slug="helsenettforbindelse").count() == 1
    assert states()[(holders.org_a.pk, "helsenettforbindelse")] == AgreementState.ACTIVE


# --- ending an agreement ----------------------------------------------------------------------------------------


@pytest.fixture
def network(world: Any, catalogue: Any) -> dict[str, Any]:
    """A's agreements: the connection, three services that need it (SFM through E-resept), and HelseID."""
    slugs = ["helsenettforbindelse", "adresseregisteret", "e-resept", "sfm", "helseid"]
    return {slug: make_agreement(world.org_a, slug) for slug in slugs}


def snapshot() -> tuple[Any, ...]:
    return (states(), AuditEvent.objects.count())


@pytest.mark.parametrize("persona", ["member_a", "customer_centre", "membership_manager", "superuser", "admin_b"])
def test_only_a_signatory_may_end_an_agreement(world: Any, network: Any, persona: str) -> None:
    before = snapshot()
    with pytest.raises(PermissionDenied):
        agreement_terminate(actor=world[persona], agreement=network["helseid"], reason="Trengs ikke")
    assert snapshot() == before


def test_the_impact_lists_every_agreement_that_needs_it(network: Any) -> None:
    names = sorted(a.service.slug for a in termination_impact(network["helsenettforbindelse"]))
    assert names == ["adresseregisteret", "e-resept", "sfm"]
    assert termination_impact(network["helseid"]) == []
    assert [a.service.slug for a in termination_impact(network["e-resept"])] == ["sfm"]


def test_ending_one_with_dependents_is_refused_without_include_dependents(world: Any, network: Any) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        agreement_terminate(
            actor=world["admin_a"], agreement=network["helsenettforbindelse"], reason="Bytter leverandør"
        )
    message = " ".join(exc.value.message_dict["include_dependents"])
    for name in ["Adresseregisteret", "E-resept", "Sentral forskrivningsmodul"]:
        assert name in message
    assert snapshot() == before


def test_with_include_dependents_all_of_them_end_and_are_audited(world: Any, network: Any) -> None:
    ended = agreement_terminate(
        actor=world["admin_a"],
        agreement=network["helsenettforbindelse"],
        reason="Bytter leverandør",
        include_dependents=True,
    )

    assert sorted(a.service.slug for a in ended) == ["adresseregisteret", "e-resept", "helsenettforbindelse", "sfm"]
    after = states()
    assert after[(world.org_a.pk, "helseid")] == AgreementState.ACTIVE
    assert {after[(world.org_a.pk, s)] for s in ["adresseregisteret", "e-resept", "helsenettforbindelse", "sfm"]} == {
        AgreementState.TERMINATED
    }
    events = AuditEvent.objects.filter(action="service_agreement.terminated")
    assert events.count() == 4
    assert {e.reason for e in events} == {"Bytter leverandør"}
    assert {e.after["service"] for e in events} == {"adresseregisteret", "e-resept", "helsenettforbindelse", "sfm"}
    assert {e.organisation_id for e in events} == {world.org_a.pk}
    network["sfm"].refresh_from_db()
    assert network["sfm"].termination_reason == "Bytter leverandør" and network["sfm"].terminated_at is not None


def test_ending_one_without_dependents_ends_only_it(world: Any, network: Any) -> None:
    ended = agreement_terminate(actor=world["admin_a"], agreement=network["helseid"], reason="Trengs ikke")
    assert [a.service.slug for a in ended] == ["helseid"]
    assert list(states().values()).count(AgreementState.TERMINATED) == 1


def test_a_reason_is_required_and_an_ended_agreement_cannot_end_again(world: Any, network: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        agreement_terminate(actor=world["admin_a"], agreement=network["helseid"], reason="  ")
    assert "reason" in exc.value.message_dict
    agreement_terminate(actor=world["admin_a"], agreement=network["helseid"], reason="Trengs ikke")
    before = snapshot()
    with pytest.raises(ValidationError):
        agreement_terminate(actor=world["admin_a"], agreement=network["helseid"], reason="Igjen")
    assert snapshot() == before


def test_the_terminate_page_shows_the_dependents_and_ends_them_when_accepted(
    world: Any, network: Any, login: Any
) -> None:
    client = login(world["admin_a"])
    url = reverse("agreements:agreement_terminate", args=[network["e-resept"].pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "Sentral forskrivningsmodul" in page.content.decode()

    refused = client.post(url, {"reason": "Trengs ikke"})
    assert refused.status_code == 400
    assert states()[(world.org_a.pk, "e-resept")] == AgreementState.ACTIVE

    done = client.post(url, {"reason": "Trengs ikke", "include_dependents": "on"})
    assert done.status_code == 302
    assert done["Location"] == reverse("agreements:organisation_services", args=[world.org_a.pk])
    assert states()[(world.org_a.pk, "sfm")] == AgreementState.TERMINATED
    assert client.get(url).status_code == 404  # an ended agreement cannot be ended again
