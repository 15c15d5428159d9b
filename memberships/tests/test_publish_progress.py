"""Issue 19: publishing a terms version is never one click. The manager confirms against what the page
names (how many organisations must sign, by which deadline, that e-mails go out now); after publishing
the terms page shows the invitations going out, polled from the outbox's counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from core.mail import mail_deliver
from core.models import OutboundEmail
from memberships import rounds
from memberships.choices import TermsStatus
from memberships.models import TermsVersion
from organisations.tests.factories import MunicipalityFactory

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2030, 6, 3, 10, 0, tzinfo=OSLO)


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _english(english: Any) -> None:
    """Assertions read the English texts."""


def publish_url(version: TermsVersion) -> str:
    return reverse("memberships:terms_publish", args=[version.pk])


def test_the_draft_names_what_publishing_does_and_asks_for_a_tick(world: Any, terms: Any, login: Any) -> None:
    MunicipalityFactory(name="Stillevik")  # nobody to notify there
    text = login(world["membership_manager"]).get(terms.draft.get_absolute_url()).content.decode()
    assert "Publishing invites 3 organisations." in text
    assert "They must sign by 31 March 2031" in text and "the invitations are e-mailed at once" in text
    assert "1 of them has nobody to notify" in text
    checkbox = re.search(
        r'<input type="checkbox" name="confirm" id="id_confirm" required>\s*<label for="id_confirm">([^<]*)', text
    )
    assert checkbox is not None
    assert " ".join(checkbox.group(1).split()) == (
        "Yes, publish now: 3 organisations must sign by 31 March 2031, and the invitations are e-mailed now."
    )
    assert 'name="expected" value="3"' in text


def test_publishing_without_the_tick_publishes_nothing_and_says_why(
    world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = login(world["membership_manager"]).post(publish_url(terms.draft), {"expected": 2})
    assert response.status_code == 400
    assert "Tick the box to confirm that the invitations are to go out now." in response.content.decode()
    assert TermsVersion.objects.get(pk=terms.draft.pk).status == TermsStatus.DRAFT
    assert callbacks == [] and not DBTaskResult.objects.exists()


def test_publishing_against_a_number_that_has_changed_asks_again(
    world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(world["membership_manager"])
    shown = rounds.invitation_preview(terms.draft)[0]
    MunicipalityFactory(name="Nyby")  # a municipality appears while the page is open
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(publish_url(terms.draft), {"confirm": "on", "expected": shown})
    text = response.content.decode()
    assert response.status_code == 409
    assert f"has changed from {shown} to {shown + 1}" in text
    assert f'name="expected" value="{shown + 1}"' in text
    assert TermsVersion.objects.get(pk=terms.draft.pk).status == TermsStatus.DRAFT
    assert callbacks == []


def test_after_publishing_the_page_follows_the_invitations_from_the_outbox(
    world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any
) -> None:
    MunicipalityFactory(name="Stillevik")  # nobody to notify there
    client = login(world["membership_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url(terms.draft), {"confirm": "on", "expected": 3})
    assert response.status_code == 302 and response["Location"] == terms.draft.get_absolute_url()
    version = TermsVersion.objects.get(pk=terms.draft.pk)
    assert (version.invitations_planned, version.invitations_unreachable) == (3, 1)

    # Back on the page at once: the job has not run yet, the page polls.
    page = client.get(response["Location"])
    text = page.content.decode()
    assert [str(m) for m in page.context["messages"]] == [
        "Published. Invitations to sign are on their way to 2 organisations: follow them below."
    ]
    progress_url = reverse("memberships:terms_progress", args=[version.pk])
    assert f'hx-get="{progress_url}"' in text and 'hx-trigger="every 2s"' in text
    assert '<label for="invitation-bar">' in text and '<progress id="invitation-bar"' in text
    assert 'aria-live="polite"' in text
    assert "Under way." in text and "0 of 3 organisations invited." in text

    # The job queues the e-mails; none is delivered yet.
    rounds.send_invitations(version)
    emails = OutboundEmail.objects.filter(key__startswith=f"invitation:{version.pk}:")
    assert emails.count() == 2  # Ringsaker's and Bergen's administrators
    with django_assert_max_num_queries(6):
        polled = client.get(progress_url)
    body = " ".join(polled.content.decode().split())
    assert polled.status_code == 200
    assert "2 of 3 organisations invited." in body and "0 of 2 e-mails delivered." in body
    assert "2 waiting to be sent." in body and "1 organisation has nobody to notify" in body
    assert 'value="0"' in body and 'max="2"' in body

    # Delivered: the answer says done, with 286, which stops the polling.
    for pk in emails.values_list("pk", flat=True):
        mail_deliver(pk)
    with django_assert_max_num_queries(6):
        polled = client.get(progress_url)
    body = " ".join(polled.content.decode().split())
    assert polled.status_code == 286
    assert "Done." in body and "2 of 2 e-mails delivered." in body and 'value="2"' in body
    assert 'hx-get="/memberships' not in client.get(version.get_absolute_url()).content.decode()


def test_the_progress_costs_the_same_queries_however_many_organisations(
    world: Any, terms: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    from memberships.services import terms_publish
    from organisations.tests.factories import RoleFactory, UserFactory

    for index in range(15):
        org = MunicipalityFactory(name=f"Kommune {index}").organisation
        RoleFactory(user=UserFactory(email=f"a{index}@example.no"), organisation=org, role="admin")
    version = terms_publish(actor=world["membership_manager"], version=terms.draft)
    rounds.send_invitations(version)
    client = login(world["membership_manager"])
    # session, user, second factor, the version, the organisations invited, the outbox by status
    with django_assert_max_num_queries(6):
        polled = client.get(reverse("memberships:terms_progress", args=[version.pk]))
    assert "17 of 17 organisations invited." in " ".join(polled.content.decode().split())


def test_the_progress_of_a_draft_is_not_found_and_others_may_not_see_it(world: Any, terms: Any, login: Any) -> None:
    url = reverse("memberships:terms_progress", args=[terms.draft.pk])
    assert login(world["membership_manager"]).get(url).status_code == 404
    published = reverse("memberships:terms_progress", args=[terms.published.pk])
    assert login(world["admin_a"]).get(published).status_code == 403


def test_a_large_round_is_invited_in_chunks_that_any_worker_takes_and_is_done_when_the_last_one_is(
    world: Any, terms: Any, monkeypatch: Any
) -> None:
    """Issue 21: 70,000 organisations are not invited by one job on one worker: publishing's job splits them into
    chunks of a job each. Whichever chunk finishes last marks the round done; a chunk run twice invites nobody
    twice."""
    from django_tasks_db.models import DBTaskResult

    from memberships.models import ReminderLog
    from memberships.services import terms_publish
    from organisations.tests.factories import RoleFactory, UserFactory

    monkeypatch.setattr(rounds, "INVITATION_CHUNK", 2)
    for index in range(3):
        org = MunicipalityFactory(name=f"Kommune {index}").organisation
        RoleFactory(user=UserFactory(email=f"k{index}@example.no"), organisation=org, role="admin")
    MunicipalityFactory(name="Stillevik")  # nobody to notify there
    version = terms_publish(actor=world["membership_manager"], version=terms.draft)
    assert rounds.start_invitations(version) == 3  # 6 municipalities, 2 a chunk
    chunks = [t.args_kwargs["args"] for t in DBTaskResult.objects.filter(task_path__endswith="send_invitation_chunk")]
    assert len(chunks) == 3 and sorted(pk for _v, ids, _last in chunks for pk in ids) == sorted(
        rounds._unsigned_required(version, reinvite_ended=True).values_list("pk", flat=True)
    )
    for number, (version_id, ids, last) in enumerate(reversed(chunks), start=1):
        rounds.send_invitations(TermsVersion.objects.get(pk=version_id), ids, last_id=last)
        version.refresh_from_db()
        assert (version.invitations_done_at is not None) == (number == len(chunks))
    assert ReminderLog.objects.filter(terms_version=version).count() == 5  # all but Stillevik
    emails = OutboundEmail.objects.filter(key__startswith=f"invitation:{version.pk}:").count()
    again = rounds.send_invitations(version, chunks[0][1], last_id=chunks[0][2])
    assert again.invited == 0 and OutboundEmail.objects.count() == emails == 5  # one administrator each
