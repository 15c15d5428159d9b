"""Issue 21, part 2: a chunk of a signing round is invited in batches of organisations, one transaction each,
in a fixed number of queries, with every guarantee of inviting one organisation at a time: the same membership
states, history rows, audit events (the chain verifies), reminder logs and e-mails (recipients, languages,
subjects), exactly once when a job runs twice or crashes half-way, and one organisation's problem does not
keep the others of its batch from their invitations."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from core.audit import verify_chain
from core.models import AuditEvent, OutboundEmail
from memberships import rounds
from memberships.choices import MembershipState, TerminationReason
from memberships.models import Membership, MembershipTransition, ReminderLog
from organisations.tests.factories import MunicipalityFactory, OrganisationFactory, RoleFactory, UserFactory

S = MembershipState
NOW = dt.datetime(2030, 2, 3, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def member(organisation: Any, state: str, **fields: Any) -> Membership:
    return Membership.objects.create(organisation=organisation, state=state, **fields)


@pytest.fixture
def varied(world: Any, terms: Any) -> dict[str, Any]:
    """Organisations that terms.published (municipalities and AS) invites, in every way an invitation differs."""
    from integrations.models import WebhookEndpoint

    orgs: dict[str, Any] = {}
    orgs["nynorsk"] = OrganisationFactory(name="Nynorsk AS", written_form="nn")
    RoleFactory(user=UserFactory(email="nn.admin@example.no"), organisation=orgs["nynorsk"], role="admin")
    orgs["people"] = OrganisationFactory(name="Språk AS")
    RoleFactory(user=UserFactory(email="en.admin@example.no", language="en"), organisation=orgs["people"], role="admin")
    RoleFactory(
        user=UserFactory(email="nb.sign@example.no"),
        organisation=orgs["people"],
        role="signatory",
        signatory_basis="signature_right",
    )
    orgs["own_address"] = OrganisationFactory(name="Eiga Adresse AS", email="post@eiga.example.no")
    # A name the templates escape in some places and not in others, with a run of spaces for the subject.
    orgs["odd_name"] = OrganisationFactory(name='Tom & «Jerry»  <b>"AS"</b>', email="post@tom.example.no")
    orgs["odd_municipality"] = MunicipalityFactory(name="Ås & Vik").organisation
    RoleFactory(user=UserFactory(email="admin@aasvik.example.no"), organisation=orgs["odd_municipality"], role="admin")
    orgs["silent"] = OrganisationFactory(name="Stille AS", email="")
    orgs["undeliverable"] = OrganisationFactory(name="Ingen Post AS")
    RoleFactory(user=UserFactory(email="x@no-email.invalid"), organisation=orgs["undeliverable"], role="admin")
    orgs["member"] = OrganisationFactory(name="Medlem AS", email="post@medlem.example.no")
    member(orgs["member"], S.ACTIVE, signed_version=terms.draft)
    orgs["left"] = OrganisationFactory(name="Sluttet AS", email="post@sluttet.example.no")
    member(orgs["left"], S.TERMINATED, termination_reason=TerminationReason.OWN_NOTICE)
    orgs["suspended"] = OrganisationFactory(name="Stengt AS", email="post@stengt.example.no")
    member(orgs["suspended"], S.SUSPENDED)
    orgs["invited"] = OrganisationFactory(name="Invitert AS", email="post@invitert.example.no")
    member(orgs["invited"], S.INVITED)
    orgs["done"] = OrganisationFactory(name="Ferdig AS", email="post@ferdig.example.no")
    ReminderLog.objects.create(organisation=orgs["done"], terms_version=terms.published, step="invitation")
    orgs["merged"] = OrganisationFactory(name="Fusjonert AS", email="post@fusjon.example.no")
    member(orgs["merged"], S.TERMINATED, termination_reason=TerminationReason.MERGER)  # not invited again
    # Everyone hears of membership changes at NHN's national endpoint; the organisation of its own.
    WebhookEndpoint.objects.create(
        url="https://nhn.example.no/hook", event_types=["member.changed"], created_by=world["superuser"]
    )
    WebhookEndpoint.objects.create(
        organisation=orgs["member"],
        url="https://medlem.example.no/hook",
        event_types=["member.changed"],
        created_by=world["superuser"],
    )
    return orgs


def snapshot() -> dict[str, Any]:
    """Everything inviting writes, without the ids that differ between two runs."""
    from integrations.models import WebhookDelivery

    return {
        "memberships": sorted(
            Membership.objects.values_list("organisation_id", "state", "signed_version_id", "termination_reason")
        ),
        "history": sorted(
            MembershipTransition.objects.values_list(
                "membership__organisation_id", "from_state", "to_state", "terms_version_id", "reason", "actor_id", "at"
            )
        ),
        "audit": [
            (e.action, e.object_type, e.organisation_id, e.actor_label, e.before, e.after, e.reason, e.occurred_at)
            for e in AuditEvent.objects.order_by("id")
        ],
        "logs": sorted(ReminderLog.objects.values_list("organisation_id", "terms_version_id", "step")),
        "emails": sorted(
            OutboundEmail.objects.values_list("key", "to", "subject", "body_text", "body_html", "status", "request_id")
        ),
        "webhooks": sorted(
            (d.endpoint.url, d.event_type, d.event_key, d.state, sorted(d.payload["data"].items()))
            for d in WebhookDelivery.objects.select_related("endpoint")
        ),
    }


def one_at_a_time(monkeypatch: Any) -> None:
    """Invite as before batches: every batch falls back to one organisation at a time."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ValidationError("one at a time")

    monkeypatch.setattr(rounds, "_invite_together", refuse)


def test_inviting_in_batches_writes_exactly_what_inviting_one_at_a_time_writes(
    world: Any, terms: Any, varied: dict[str, Any], monkeypatch: Any, caplog: Any
) -> None:
    version = terms.published
    with transaction.atomic():
        with monkeypatch.context() as patch:
            one_at_a_time(patch)
            alone = rounds.send_invitations(version)
        expected = snapshot()
        transaction.set_rollback(True)
    caplog.clear()
    monkeypatch.setattr(rounds, "INVITATION_BATCH", 4)  # several batches, the last one short

    together = rounds.send_invitations(version)

    assert snapshot() == expected
    assert "one at a time" not in caplog.text  # no batch fell back
    assert (together.invited, together.emails, sorted(together.skipped)) == (
        alone.invited,
        alone.emails,
        sorted(alone.skipped),
    )
    assert verify_chain().ok
    states = dict(Membership.objects.values_list("organisation__name", "state"))
    assert states == {
        **states,
        "Nynorsk AS": S.INVITED,
        "Medlem AS": S.MUST_RESIGN,
        "Sluttet AS": S.INVITED,
        "Stengt AS": S.SUSPENDED,
        "Stille AS": S.INVITED,  # moved, though nobody hears of it (as one at a time)
        "Fusjonert AS": S.TERMINATED,
    }
    emails = {mail.to: mail.subject for mail in OutboundEmail.objects.all()}
    assert emails["nn.admin@example.no"] == "Signer medlemsvilkåra T1 for Nynorsk AS"
    assert emails["en.admin@example.no"] == "Sign the membership terms T1 for Språk AS"
    assert emails["nb.sign@example.no"] == "Signer medlemsvilkårene T1 for Språk AS"
    assert "x@no-email.invalid" not in emails and "post@ferdig.example.no" not in emails
    # Plain text is not HTML: the subject and the text part carry the name as it is, the HTML part escaped.
    odd = OutboundEmail.objects.get(to="post@tom.example.no")
    assert odd.subject == 'Signer medlemsvilkårene T1 for Tom & «Jerry» <b>"AS"</b>'
    assert 'Tom & «Jerry»  <b>"AS"</b>' in odd.body_text and "&amp;" not in odd.body_text
    assert "Tom &amp; «Jerry»  &lt;b&gt;&quot;AS&quot;&lt;/b&gt;" in odd.body_html
    logged = set(ReminderLog.objects.values_list("organisation__name", flat=True))
    assert "Ingen Post AS" in logged and "Stille AS" not in logged and "Fusjonert AS" not in logged
    assert any("Stille AS" in line for line in together.skipped)


def test_the_e_mails_of_a_batch_are_delivered_in_tasks_of_up_to_a_hundred(
    world: Any, terms: Any, varied: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        rounds.send_invitations(terms.published)
    delivered = [
        pk
        for task in DBTaskResult.objects.filter(task_path="core.tasks.deliver_emails")
        for pk in task.args_kwargs["args"][0]
    ]
    delivered += [
        task.args_kwargs["args"][0] for task in DBTaskResult.objects.filter(task_path="core.tasks.deliver_email")
    ]
    assert sorted(delivered) == sorted(OutboundEmail.objects.values_list("pk", flat=True))
    assert DBTaskResult.objects.filter(task_path="core.tasks.deliver_emails").count() == 1


def test_a_chunk_run_twice_or_after_a_crash_half_way_invites_each_organisation_once(
    world: Any, terms: Any, varied: dict[str, Any], monkeypatch: Any
) -> None:
    version = terms.published
    ids = list(rounds._unsigned_required(version, reinvite_ended=True).values_list("pk", flat=True))
    with transaction.atomic():
        rounds.send_invitations(version, ids, last_id=ids[-1])
        expected = snapshot()
        transaction.set_rollback(True)

    monkeypatch.setattr(rounds, "INVITATION_BATCH", 3)
    real_queue = rounds.mail_queue_many
    calls = []

    def crash_on_the_second_batch(notices: Any) -> Any:
        calls.append(len(notices))
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real_queue(notices)

    monkeypatch.setattr(rounds, "mail_queue_many", crash_on_the_second_batch)
    with pytest.raises(RuntimeError):
        rounds.send_invitations(version, ids, last_id=ids[-1])
    # The first batch is stored whole; nothing of the second (its transaction rolled back whole).
    first = ReminderLog.objects.filter(step="invitation").exclude(organisation=varied["done"]).count()
    assert 0 < first <= 3
    assert MembershipTransition.objects.count() == AuditEvent.objects.filter(action="membership.transition").count()
    assert verify_chain().ok

    monkeypatch.setattr(rounds, "mail_queue_many", real_queue)
    rounds.send_invitations(version, ids, last_id=ids[-1])
    assert snapshot() == expected
    again = rounds.send_invitations(version, ids, last_id=ids[-1])
    assert (again.invited, again.emails) == (0, 0)
    assert snapshot() == expected
    version.refresh_from_db()
    assert version.invitations_done_at is not None


def test_an_organisation_another_run_invited_meanwhile_makes_its_batch_go_one_at_a_time(
    world: Any, terms: Any, varied: dict[str, Any], monkeypatch: Any, caplog: Any
) -> None:
    """The other run's reminder log appears after this batch looked: the batch's insert fails and rolls back,
    and one at a time the organisation is skipped, the others invited."""
    version = terms.published
    ReminderLog.objects.create(organisation=varied["nynorsk"], terms_version=version, step="invitation")
    # As if the other run's log was committed just after this run looked (before the batch, and in it).
    monkeypatch.setattr(rounds, "_invited_before", lambda *args: set())
    monkeypatch.setattr(rounds, "_logged", lambda *args: set())
    caplog.set_level(logging.WARNING, logger="memberships.rounds")

    report = rounds.send_invitations(version, [varied["nynorsk"].pk, varied["people"].pk, varied["member"].pk])

    assert "one at a time" in caplog.text
    assert report.invited == 2
    assert not MembershipTransition.objects.filter(membership__organisation=varied["nynorsk"]).exists()
    assert not OutboundEmail.objects.filter(to="nn.admin@example.no").exists()
    assert OutboundEmail.objects.filter(to="en.admin@example.no").exists()
    assert Membership.objects.get(organisation=varied["member"]).state == S.MUST_RESIGN
    assert verify_chain().ok


def test_one_organisation_that_cannot_move_does_not_keep_the_others_of_its_batch_from_their_invitations(
    world: Any, terms: Any, varied: dict[str, Any], monkeypatch: Any, caplog: Any
) -> None:
    version = terms.published
    # A move the state machine refuses, for the suspended organisation only.
    monkeypatch.setattr(rounds, "_INVITATION_MOVES", {**rounds._INVITATION_MOVES, S.SUSPENDED: S.MUST_RESIGN})
    caplog.set_level(logging.WARNING, logger="memberships.rounds")

    with translation.override("en"):
        report = rounds.send_invitations(version)

    assert "one at a time" in caplog.text and f"Organisation {varied['suspended'].pk} was not invited" in caplog.text
    assert any(line.startswith("Stengt AS: not invited:") for line in report.skipped)
    assert Membership.objects.get(organisation=varied["suspended"]).state == S.SUSPENDED
    assert not ReminderLog.objects.filter(organisation=varied["suspended"]).exists()
    invited = set(ReminderLog.objects.values_list("organisation_id", flat=True))
    others = {varied[name].pk for name in ("nynorsk", "people", "own_address", "member", "left", "invited")}
    assert others <= invited and {world.org_a.pk, world.org_b.pk} <= invited
    assert verify_chain().ok


@pytest.mark.parametrize("count", [5, 60])
def test_inviting_costs_the_same_queries_however_many_organisations(world: Any, terms: Any, count: int) -> None:
    for index in range(count):
        organisation = MunicipalityFactory(name=f"Kommune {index}").organisation
        RoleFactory(user=UserFactory(email=f"k{index}@example.no"), organisation=organisation, role="admin")
        if index % 2:
            member(organisation, S.ACTIVE, signed_version=terms.draft)
    ids = list(rounds._unsigned_required(terms.published, reinvite_ended=True).values_list("pk", flat=True))

    with CaptureQueriesContext(transaction.get_connection()) as queries:
        report = rounds.send_invitations(terms.published, ids, last_id=ids[-1])

    assert report.invited == count + 2  # and the world's Ringsaker and Bergen (Bergen Legesenter: nobody)
    assert OutboundEmail.objects.count() == count + 2
    # The organisations, those invited before; per batch the savepoint, the memberships locked and those
    # created, the logs under the lock, the moves (an update per resulting state, history, the chain's lock,
    # head and insert, the webhook endpoints), the recipients, the logs, the keys queued before, the languages, the e-mails and
    # the savepoint's release; the round's check and its end. The same however many organisations.
    assert len(queries) <= 24, "\n".join(q["sql"][:120] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_same_chunk_run_by_four_workers_at_once_invites_each_organisation_once(world: Any, terms: Any) -> None:
    """Real concurrent transactions: the batches lock their memberships, look for logs under the locks,
    and a batch that loses a race on a log goes one organisation at a time."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions: run with DATABASE_URL=postgres://…")
    for index in range(40):
        organisation = OrganisationFactory(name=f"Samtidig {index} AS", email=f"post{index}@samtidig.example.no")
        if index % 3 == 0:
            member(organisation, S.ACTIVE, signed_version=terms.draft)
    version_id = terms.published.pk
    ids = list(rounds._unsigned_required(terms.published, reinvite_ended=True).values_list("pk", flat=True))
    barrier = threading.Barrier(4)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def worker() -> None:
        from memberships.models import TermsVersion

        try:
            version = TermsVersion.objects.get(pk=version_id)
            barrier.wait(timeout=30)
            outcome: Any = rounds.send_invitations(version, ids, last_id=ids[-1]).invited
        except Exception as exc:  # counted: there must be none
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    with time_machine.travel(NOW, tick=True):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    invited = ReminderLog.objects.filter(step="invitation").count()
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert sum(outcomes) == invited == 42  # the 40, Ringsaker and Bergen (Bergen Legesenter: nobody)
    assert OutboundEmail.objects.count() == 42
    per_membership = MembershipTransition.objects.values_list("membership_id", flat=True)
    assert len(per_membership) == len(set(per_membership)) == 43  # Bergen Legesenter moves too
    assert AuditEvent.objects.filter(action="membership.transition").count() == 43
    assert verify_chain().ok


def test_a_batch_renders_each_template_once_per_language_and_kind_and_fills_in_the_rest(
    world: Any, terms: Any, varied: dict[str, Any], monkeypatch: Any
) -> None:
    from core import mail as core_mail

    calls: list[str] = []
    real_render = core_mail.mail_render

    def counting(template: str, context: Any, code: str) -> Any:
        calls.append(code)
        return real_render(template, context, code)

    monkeypatch.setattr(rounds, "mail_render", counting)
    report = rounds.send_invitations(terms.published)

    assert report.emails == OutboundEmail.objects.count() > 10
    # Per kind (language, days left, a "why" or not) the first organisation in full and the stand-in once:
    # nb with a why (the AS), nb without (the municipalities), nn and en.
    assert len(calls) == 2 * 4
    odd = OutboundEmail.objects.get(to="post@tom.example.no")
    # As one at a time (plain text, not escaped), with the run of spaces gone.
    assert odd.subject == 'Signer medlemsvilkårene T1 for Tom & «Jerry» <b>"AS"</b>'
    assert "Tom &amp; «Jerry»  &lt;b&gt;&quot;AS&quot;&lt;/b&gt; må signere" in odd.body_html
    assert f"/memberships/organisations/{varied['odd_name'].pk}/sign/" in odd.body_text


def test_a_template_that_changes_the_name_is_rendered_in_full_for_every_organisation(
    world: Any, terms: Any, varied: dict[str, Any], monkeypatch: Any
) -> None:
    from core import mail as core_mail

    real_render = core_mail.mail_render

    def shouting(template: str, context: Any, code: str) -> Any:
        subject, text, html = real_render(template, context, code)
        return subject, text.replace(context["organisation"].name, context["organisation"].name.upper()), html

    monkeypatch.setattr(rounds, "mail_render", shouting)
    rounds.send_invitations(terms.published)

    for organisation in (varied["odd_name"], varied["own_address"], world.org_a):
        mail = OutboundEmail.objects.filter(
            key__startswith=f"invitation:{terms.published.pk}:{organisation.pk}:"
        ).first()
        assert mail is not None and organisation.name.upper() in mail.body_text
