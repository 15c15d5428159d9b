"""Authorization matrix routes of engagement and help: apps events, suggestions, surveys and support."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from conftest import World
from tests.matrix_common import REDIRECT, TARGETS, Route, org_action, signed_in, visible

CUSTOMER_CENTRE = {"customer_centre", "system_admin", "superuser"}
ENGAGEMENT = {"membership_manager", "customer_centre", "system_admin", "superuser"}
MEMBERS = {"member_a", "admin_a", "admin_b"}  # people with a role in an organisation
OWN = {("member_a", "A"), ("admin_a", "A"), ("admin_b", "B")}

READ_ONLY_ADMIN = {
    "support_openinghours",
    "support_supportrequest",
    "support_supportmessage",
    "support_attendancerequest",
    "events_event",
    "events_registration",
    "suggestions_suggestion",
    "suggestions_suggestionsupport",
    "surveys_survey",
    "surveys_question",
    "surveys_response",
    "surveys_answer",
}


def _future(days: int = 30) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def seed_world(world: World) -> None:
    """One object of every model these apps show in the admin."""
    from events.models import Registration
    from suggestions.models import Suggestion, SuggestionSupport
    from support.hours import current_hours
    from support.models import SupportMessage, SupportRequest
    from surveys.models import Answer, Question, Response

    current_hours()
    request = SupportRequest.objects.create(
        organisation=world.org_a, created_by=world["member_a"], subject="Matrise", category="other"
    )
    SupportMessage.objects.create(request=request, author=world["member_a"], body="Hei")
    _attendance(world, "A")
    event = _event()
    Registration.objects.create(event=event, user=world["member_a"], status="confirmed")
    suggestion = Suggestion.objects.create(title="Veikart", category="roadmap", created_by=world["admin_a"])
    SuggestionSupport.objects.create(suggestion=suggestion, user=world["admin_b"])
    survey = _survey()
    response = Response.objects.create(
        survey=survey, user=world["admin_b"], organisation=world.org_b, per_organisation=False
    )
    Answer.objects.create(response=response, question=Question.objects.filter(survey=survey).first(), text="Svar")


def _event(public: bool = False) -> Any:
    from events.models import Event

    start = _future()
    return Event.objects.create(
        title="Webinar", kind="webinar", description="-", starts_at=start, ends_at=start + dt.timedelta(hours=1),
        online_url="https://teams.example.no/w", audience="Kommuner", capacity=10, is_public=public,
    )  # fmt: skip


def _survey() -> Any:
    from surveys.models import Question, Survey

    survey = Survey.objects.create(
        title="Fem minutter", opens_at=timezone.now() - dt.timedelta(days=1), closes_at=_future(), is_published=True
    )
    Question.objects.create(survey=survey, kind="text", text="Hva vil du vite?", required=False)
    return survey


def _request(world: World, target: str) -> int:
    from support.models import SupportRequest

    org = {"A": world.org_a, "B": world.org_b}.get(target)
    if org is None:
        return 999_999
    user = world["member_a"] if target == "A" else world["admin_b"]
    return SupportRequest.objects.create(organisation=org, created_by=user, subject="Spørsmål", category="other").pk


def _attendance(world: World, target: str) -> int:
    from support.models import AttendanceRequest

    org = {"A": world.org_a, "B": world.org_b}.get(target)
    if org is None:
        return 999_999
    return AttendanceRequest.objects.create(
        organisation=org, created_by=world["admin_a"] if target == "A" else world["admin_b"], kind="meeting",
        topic="Møte", starts_at=_future(), place="Rådhuset", audience_size=20,
    ).pk  # fmt: skip


def _event_url(name: str) -> Any:
    return lambda w, t: reverse(f"events:{name}", args=[_event().pk])


def _survey_url(name: str) -> Any:
    return lambda w, t: reverse(f"surveys:{name}", args=[_survey().pk])


def _role(allowed: set[str], ok: Any = 200) -> Any:
    return signed_in(lambda r, t: ok if r in allowed else 403)


def _question_delete_url(w: World, t: str) -> str:
    survey = _survey()
    return reverse("surveys:question_delete", args=[survey.pk, survey.questions.first().pk])


ROUTES: dict[str, Route] = {
    # support
    "support:contact": Route(lambda w, t: reverse("support:contact"), lambda r, t: 200),
    "support:hours_edit": Route(lambda w, t: reverse("support:hours_edit"), _role(CUSTOMER_CENTRE)),
    # Special days (issue 20): the customer centre's staff; removing one that does not exist is a 404.
    "support:special_days": Route(lambda w, t: reverse("support:special_days"), _role(CUSTOMER_CENTRE)),
    "support:special_day_delete": Route(
        lambda w, t: reverse("support:special_day_delete", args=[999_999]),
        _role(CUSTOMER_CENTRE, ok=404),
        method="post",
    ),
    "support:request_list": Route(
        lambda w, t: reverse("support:request_list"),
        signed_in(lambda r, t: REDIRECT if r in CUSTOMER_CENTRE else 200),
    ),
    "support:request_create": Route(lambda w, t: reverse("support:request_create"), _role(MEMBERS)),
    "support:request_detail": Route(
        lambda w, t: reverse("support:request_detail", args=[_request(w, t)]),
        org_action(lambda r, t: r in CUSTOMER_CENTRE or (r, t) in OWN),
        targets=TARGETS,
    ),
    "support:request_manage": Route(
        lambda w, t: reverse("support:request_manage", args=[_request(w, t)]),
        signed_in(lambda r, t: 404 if not visible(r, t) else (REDIRECT if r in CUSTOMER_CENTRE else 403)),
        method="post",
        targets=TARGETS,
    ),
    "support:queue": Route(lambda w, t: reverse("support:queue"), _role(CUSTOMER_CENTRE)),
    "support:attendance_list": Route(lambda w, t: reverse("support:attendance_list"), signed_in(lambda r, t: 200)),
    "support:attendance_create": Route(lambda w, t: reverse("support:attendance_create"), _role(MEMBERS)),
    "support:attendance_detail": Route(
        lambda w, t: reverse("support:attendance_detail", args=[_attendance(w, t)]),
        org_action(lambda r, t: r in ENGAGEMENT or (r, t) in OWN),
        targets=TARGETS,
    ),
    # events
    # Open to everyone (issue 20): a visitor sees the public webinars, a member every published event.
    "events:event_list": Route(lambda w, t: reverse("events:event_list"), lambda r, t: 200),
    "events:event_create": Route(lambda w, t: reverse("events:event_create"), _role(ENGAGEMENT)),
    "events:event_feed": Route(lambda w, t: reverse("events:event_feed"), lambda r, t: 200),
    "events:event_detail": Route(_event_url("event_detail"), signed_in(lambda r, t: 200)),
    "events:event_detail[public]": Route(
        lambda w, t: reverse("events:event_detail", args=[_event(public=True).pk]), lambda r, t: 200
    ),
    "events:event_edit": Route(_event_url("event_edit"), _role(ENGAGEMENT)),
    "events:event_register": Route(_event_url("event_register"), signed_in(lambda r, t: REDIRECT), method="post"),
    "events:event_cancel": Route(_event_url("event_cancel"), signed_in(lambda r, t: REDIRECT), method="post"),
    "events:event_ics": Route(_event_url("event_ics"), signed_in(lambda r, t: 200)),
    # suggestions
    "suggestions:suggestion_list": Route(
        lambda w, t: reverse("suggestions:suggestion_list"), signed_in(lambda r, t: 200)
    ),
    "suggestions:suggestion_detail": Route(
        lambda w, t: reverse("suggestions:suggestion_detail", args=[_suggestion(w)]), signed_in(lambda r, t: 200)
    ),
    "suggestions:suggestion_support": Route(
        lambda w, t: reverse("suggestions:suggestion_support", args=[_suggestion(w)]),
        signed_in(lambda r, t: REDIRECT),
        method="post",
    ),
    # surveys
    "surveys:survey_list": Route(lambda w, t: reverse("surveys:survey_list"), signed_in(lambda r, t: 200)),
    "surveys:survey_create": Route(lambda w, t: reverse("surveys:survey_create"), _role(ENGAGEMENT)),
    "surveys:survey_answer": Route(_survey_url("survey_answer"), signed_in(lambda r, t: 200)),
    "surveys:survey_edit": Route(_survey_url("survey_edit"), _role(ENGAGEMENT)),
    "surveys:survey_build": Route(_survey_url("survey_build"), _role(ENGAGEMENT)),
    "surveys:question_delete": Route(_question_delete_url, _role(ENGAGEMENT, REDIRECT), method="post"),
    "surveys:survey_publish": Route(_survey_url("survey_publish"), _role(ENGAGEMENT, REDIRECT), method="post"),
    "surveys:survey_results": Route(_survey_url("survey_results"), _role(ENGAGEMENT)),
    "surveys:survey_export_csv": Route(_survey_url("survey_export_csv"), _role(ENGAGEMENT)),
    "surveys:survey_export_xlsx": Route(_survey_url("survey_export_xlsx"), _role(ENGAGEMENT)),
}


def _suggestion(world: World) -> int:
    from suggestions.models import Suggestion

    return Suggestion.objects.create(title="Prismodell", category="price_model", created_by=world["admin_b"]).pk
