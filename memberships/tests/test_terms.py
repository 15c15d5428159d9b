"""Versioned terms: drafts are written and changed by membership managers; a published version never changes.

Publishing freezes the text's hash and starts the signing round in the background: every organisation that must
sign is invited (an active member must re-sign), its administrators and signatories get an e-mail.
Messages are asserted in Norwegian, the default language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from conftest import sign_for
from core.audit import canonical_json
from core.models import AuditEvent, OutboundEmail
from memberships import rounds, services
from memberships.choices import MembershipState, TermsStatus
from memberships.models import Membership, MembershipTransition, ReminderLog, TermsVersion
from memberships.tests.conftest import messages_of
from organisations.choices import RegisterStatus
from organisations.tests.factories import MunicipalityFactory, RoleFactory, UserFactory

OSLO = ZoneInfo("Europe/Oslo")
# Relative to today: sealing needs the test CA (created when the suite first ran on this machine) to be valid.
NOW = dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(9, 30), tzinfo=OSLO)
SIGN_BY = NOW.date() + dt.timedelta(days=120)
EFFECTIVE = SIGN_BY + dt.timedelta(days=17)


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "label": "2027",
        "effective_date": EFFECTIVE.isoformat(),
        "sign_by": SIGN_BY.isoformat(),
        "required_forms": ["KOMM", "AS"],
        "membership_terms": "# Medlemsvilkår\n\nMedlemmet følger *Normen*.",
        "data_processing": "# Databehandleravtale\n\nNHN behandler data.",
        "customer_agreement": "# Kundeavtale\n\nPriser etter prisliste.",
    }
    data.update(overrides)
    return data


def confirmed(version: TermsVersion) -> dict[str, Any]:
    """The publishing form as the manager sends it: ticked, with the number of organisations shown."""
    return {"confirm": "on", "expected": rounds.invitation_preview(version)[0]}


def fields_of(version: TermsVersion) -> dict[str, Any]:
    version.refresh_from_db()
    names = [*services.TERMS_FIELDS, "status", "text_sha256", "published_at", "published_by_id", "updated_at"]
    return {name: getattr(version, name) for name in names}


# --- drafts ------------------------------------------------------------------------------------------------------


def test_a_membership_manager_creates_a_draft_through_the_form(world: Any, login: Any) -> None:
    manager = world["membership_manager"]
    client = login(manager)
    assert client.get(reverse("memberships:terms_create")).status_code == 200

    response = client.post(reverse("memberships:terms_create"), form_data())

    version = TermsVersion.objects.get(label="2027")
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    assert version.status == TermsStatus.DRAFT
    assert (version.effective_date, version.sign_by) == (EFFECTIVE, SIGN_BY)
    assert version.required_forms == ["KOMM", "AS"]
    assert version.membership_terms == "# Medlemsvilkår\n\nMedlemmet følger *Normen*."
    assert (version.text_sha256, version.published_at, version.published_by) == ("", None, None)
    assert version.created_by == manager
    event = AuditEvent.objects.get(action="terms.draft_saved")
    assert (event.actor, event.object_id, event.before) == (manager, str(version.pk), None)
    assert event.after["label"] == "2027"
    assert event.after["status"] == "draft"
    page = client.get(response["Location"])
    assert messages_of(page) == ["Utkastet er lagret. Forhåndsvis det, og publiser når det er klart."]
    assert "Medlemmet følger <em>Normen</em>." in page.content.decode()


def test_a_membership_manager_changes_a_draft_and_the_audit_event_holds_before_and_after(
    world: Any, terms: Any, login: Any
) -> None:
    draft = terms.draft
    response = login(world["membership_manager"]).post(
        reverse("memberships:terms_edit", args=[draft.pk]),
        form_data(label="T2-rettet", required_forms=["KOMM", "FYLK"], sign_by=EFFECTIVE.isoformat()),
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.label, draft.required_forms, draft.sign_by) == ("T2-rettet", ["KOMM", "FYLK"], EFFECTIVE)
    assert draft.status == TermsStatus.DRAFT
    assert TermsVersion.objects.count() == 2
    event = AuditEvent.objects.get(action="terms.draft_saved")
    assert event.before["label"] == "T2"
    assert event.after["label"] == "T2-rettet"
    assert event.after["required_forms"] == ["KOMM", "FYLK"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_published_version_cannot_be_edited_through_the_view(world: Any, terms: Any, login: Any, method: str) -> None:
    published = terms.published
    before = fields_of(published)
    client = login(world["membership_manager"])

    response = getattr(client, method)(
        reverse("memberships:terms_edit", args=[published.pk]),
        form_data(label="T1-endret", sign_by=SIGN_BY.isoformat()),
    )

    assert response.status_code == 302
    assert response["Location"] == published.get_absolute_url()
    assert messages_of(client.get(response["Location"])) == [
        "En publisert versjon kan ikke endres. Lag en ny versjon i stedet."
    ]
    assert fields_of(published) == before
    assert not AuditEvent.objects.exists()


def test_the_service_refuses_to_change_a_published_version_even_with_the_object_in_hand(world: Any, terms: Any) -> None:
    published = terms.published
    before = fields_of(published)
    published.membership_terms = "Helt andre vilkår."
    published.label = "T1-endret"

    with pytest.raises(ValidationError) as raised:
        services.terms_save_draft(actor=world["membership_manager"], version=published)

    assert raised.value.messages == ["En publisert versjon kan ikke endres. Lag en ny versjon i stedet."]
    assert fields_of(published) == before
    assert not AuditEvent.objects.exists()


# --- bad input -----------------------------------------------------------------------------------------------------


BAD_INPUT = {
    "sign_by_after_effective_date": (
        {"sign_by": (EFFECTIVE + dt.timedelta(days=1)).isoformat(), "effective_date": EFFECTIVE.isoformat()},
        "sign_by",
        "Fristen kan ikke være senere enn datoen vilkårene gjelder fra.",
    ),
    "no_required_forms": ({"required_forms": []}, "required_forms", "Feltet er påkrevet."),
    "unknown_form": ({"required_forms": ["KOMM", "XYZ"]}, "required_forms", "XYZ er ikke et av de tilgjengelige"),
    "label_of_10000_characters": ({"label": "x" * 10_000}, "label", "50 eller færre tegn (den har nå 10000)"),
    "empty_label": ({"label": ""}, "label", "Feltet er påkrevet."),
    "duplicate_label": ({"label": "T1"}, "label", "finnes allerede"),
    "no_membership_terms": ({"membership_terms": ""}, "membership_terms", "Feltet er påkrevet."),
    "date_that_is_not_a_date": ({"sign_by": "31.02.2030"}, "sign_by", "Oppgi en gyldig dato."),
}


def assert_rejected(response: Any, field: str, message: str) -> None:
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert message in response.content.decode()


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_for_a_new_draft_gives_400_with_a_message_and_stores_nothing(
    world: Any, terms: Any, login: Any, case: str
) -> None:
    overrides, field, message = BAD_INPUT[case]
    versions = TermsVersion.objects.count()

    response = login(world["membership_manager"]).post(reverse("memberships:terms_create"), form_data(**overrides))

    assert_rejected(response, field, message)
    assert TermsVersion.objects.count() == versions
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("case", ["sign_by_after_effective_date", "no_required_forms", "label_of_10000_characters"])
def test_bad_input_for_an_existing_draft_gives_400_and_leaves_the_draft_as_it_was(
    world: Any, terms: Any, login: Any, case: str
) -> None:
    overrides, field, message = BAD_INPUT[case]
    before = fields_of(terms.draft)

    response = login(world["membership_manager"]).post(
        reverse("memberships:terms_edit", args=[terms.draft.pk]), form_data(**overrides)
    )

    assert_rejected(response, field, message)
    assert fields_of(terms.draft) == before
    assert not AuditEvent.objects.exists()


# --- publishing ----------------------------------------------------------------------------------------------------


@pytest.fixture
def round_world(world: Any, terms: Any) -> Any:
    """Org A is a member under T1; B is not a member; a bankrupt municipality and B's enterprise (AS) are there too.
    B has a second person, a signatory who is not an administrator."""
    sign_for(world, terms, world.org_a, world["admin_a"])
    signatory_b = UserFactory(email="signatar.b@example.no", full_name="Sigrid Signatar")
    RoleFactory(user=signatory_b, organisation=world.org_b, role="signatory", signatory_basis="signature_right")
    bankrupt = MunicipalityFactory(number="3401", name="Kongsvinger").organisation
    bankrupt.register_status = RegisterStatus.BANKRUPT
    bankrupt.save()
    RoleFactory(user=UserFactory(email="admin.k@example.no"), organisation=bankrupt, role="admin")
    world.extra["bankrupt"] = bankrupt
    return world


def test_publishing_freezes_the_text_hash_and_time_and_enqueues_the_invitations(
    round_world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    manager = round_world["membership_manager"]
    draft = terms.draft
    client = login(manager)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("memberships:terms_publish", args=[draft.pk]), confirmed(draft))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == TermsStatus.PUBLISHED
    assert draft.published_at == NOW
    assert draft.published_by == manager
    expected_hash = hashlib.sha256(
        canonical_json({name: getattr(draft, name) for name in services.TERMS_FIELDS}).encode()
    ).hexdigest()
    assert draft.text_sha256 == expected_hash == services.terms_text_sha256(draft)
    event = AuditEvent.objects.get(action="terms.published")
    assert (event.actor, event.before["status"], event.after["status"]) == (manager, "draft", "published")
    assert event.after["text_sha256"] == expected_hash
    # one job after the commit (the other callbacks tell the status pages, the API's member answers and its
    # member list that what they show is stale: a published version's label is in all three)
    assert [getattr(getattr(c, "__self__", None), "key", c.__module__) for c in callbacks] == [
        "status:generation",
        "api-member:generation",
        "api-member-list:generation",
        "memberships.services.terms",
    ]
    job = DBTaskResult.objects.get()
    assert (job.task_path, job.status, job.args_kwargs["args"]) == (
        "memberships.tasks.send_invitations",
        "READY",
        [draft.pk],
    )
    # Nothing is sent in the request itself.
    assert not OutboundEmail.objects.exists()
    assert not ReminderLog.objects.exists()


def test_the_invitation_job_invites_the_required_organisations_and_asks_active_members_to_re_sign(
    round_world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    world = round_world
    with django_capture_on_commit_callbacks(execute=True):
        login(world["membership_manager"]).post(
            reverse("memberships:terms_publish", args=[terms.draft.pk]), confirmed(terms.draft)
        )

    run_worker()

    states = dict(Membership.objects.values_list("organisation__name", "state"))
    assert states == {"Ringsaker": MembershipState.MUST_RESIGN, "Bergen": MembershipState.INVITED}
    steps = {
        (t.membership.organisation.name, t.from_state, t.to_state, t.terms_version.label)
        for t in MembershipTransition.objects.filter(terms_version=terms.draft).select_related("membership")
    }
    assert steps == {("Ringsaker", "active", "must_resign", "T2"), ("Bergen", "not_member", "invited", "T2")}
    assert set(ReminderLog.objects.values_list("organisation__name", "step")) == {
        ("Ringsaker", "invitation"),
        ("Bergen", "invitation"),
    }
    invitations = {(m.to, m.subject) for m in OutboundEmail.objects.all()}
    assert invitations == {
        ("admin.a@example.no", "Signer medlemsvilkårene T2 for Ringsaker"),
        ("admin.b@example.no", "Signer medlemsvilkårene T2 for Bergen"),
        ("signatar.b@example.no", "Signer medlemsvilkårene T2 for Bergen"),
    }
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}  # delivered by the same worker
    assert not Membership.objects.filter(organisation=world.extra["bankrupt"]).exclude(state="not_member").exists()
    assert not Membership.objects.filter(organisation=world.enterprise_b).exists()

    # The job a second time (a retry, a second worker) sends nothing more and moves nothing.
    counts = (OutboundEmail.objects.count(), MembershipTransition.objects.count(), AuditEvent.objects.count())
    assert rounds.send_invitations(terms.draft).invited == 0
    assert (OutboundEmail.objects.count(), MembershipTransition.objects.count(), AuditEvent.objects.count()) == counts


def test_publishing_twice_is_refused_with_a_message_and_changes_nothing(
    world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(world["membership_manager"])
    url = reverse("memberships:terms_publish", args=[terms.draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, confirmed(terms.draft))
    client.get(terms.draft.get_absolute_url())  # shows, and so consumes, the first "Published" message
    before = fields_of(terms.draft)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, confirmed(terms.draft))

    assert response.status_code == 302
    assert messages_of(client.get(response["Location"])) == ["Denne versjonen er allerede publisert."]
    assert fields_of(terms.draft) == before
    assert callbacks == []
    assert DBTaskResult.objects.count() == 1
    assert AuditEvent.objects.filter(action="terms.published").count() == 1


def test_a_draft_whose_deadline_has_passed_cannot_be_published(
    world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    TermsVersion.objects.filter(pk=terms.draft.pk).update(sign_by=NOW.date() - dt.timedelta(days=1))
    before = fields_of(terms.draft)
    client = login(world["membership_manager"])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("memberships:terms_publish", args=[terms.draft.pk]), confirmed(terms.draft))

    assert messages_of(client.get(response["Location"])) == [
        "Fristen har gått ut. Velg en senere signeringsfrist før du publiserer."
    ]
    assert fields_of(terms.draft) == before
    assert callbacks == []
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "coordinator_a", "customer_centre", "cert_analyst"])
def test_someone_who_does_not_manage_terms_cannot_publish_or_write_drafts(
    world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any, persona: str
) -> None:
    client = login(world[persona])
    before = fields_of(terms.draft)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish = client.post(reverse("memberships:terms_publish", args=[terms.draft.pk]))
        create = client.post(reverse("memberships:terms_create"), form_data())
        edit = client.post(reverse("memberships:terms_edit", args=[terms.draft.pk]), form_data(label="Kapret"))

    assert (publish.status_code, create.status_code, edit.status_code) == (403, 403, 403)
    assert fields_of(terms.draft) == before
    assert TermsVersion.objects.count() == 2
    assert callbacks == []
    assert not AuditEvent.objects.exists()
    with pytest.raises(PermissionDenied):
        services.terms_publish(actor=world[persona], version=terms.draft)


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_nothing_is_published(
    world: Any, terms: Any, client: Any
) -> None:
    response = client.post(reverse("memberships:terms_publish", args=[terms.draft.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert TermsVersion.objects.get(pk=terms.draft.pk).status == TermsStatus.DRAFT
