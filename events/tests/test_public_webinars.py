"""Issue 20: public webinars and their recordings are open without logging in; signing up needs a login."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events.models import Event


def _event(title: str, *, kind: str = "webinar", public: bool = False, days: int = 10, **extra: Any) -> Event:
    start = timezone.now() + dt.timedelta(days=days)
    return Event.objects.create(
        title=title, kind=kind, description="Om medlemskap.", starts_at=start, ends_at=start + dt.timedelta(hours=1),
        online_url="https://teams.example.no/hemmelig", audience="Kommuner", is_public=public, **extra,
    )  # fmt: skip


@pytest.fixture
def events(db: Any) -> dict[str, Event]:
    return {
        "public": _event("Åpent webinar om Helsenettet", public=True),
        "members": _event("Webinar bare for medlemmer"),
        "recorded": _event(
            "Opptak: Normen på 30 minutter", public=True, days=-10, recording_url="https://video.example.no/normen"
        ),
        "unpublished": _event("Utkast til webinar", public=True, is_published=False),
    }


def test_a_visitor_sees_public_webinars_and_recordings(events: dict[str, Event], client: Any) -> None:
    listing = client.get(reverse("events:event_list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert events["public"].title in page and events["recorded"].title in page
    assert events["members"].title not in page and events["unpublished"].title not in page

    detail = client.get(events["recorded"].get_absolute_url())
    assert detail.status_code == 200
    assert "https://video.example.no/normen" in detail.content.decode()

    detail = client.get(events["public"].get_absolute_url()).content.decode()
    assert "https://teams.example.no/hemmelig" not in detail  # the link to join is for those registered
    assert 'action="' + reverse("events:event_register", args=[events["public"].pk]) not in detail
    # The sign-up button sends the visitor to log in, and back to the webinar afterwards.
    login_link = detail.split('class="button" href="')[1].split('"')[0].replace("&amp;", "&")
    assert urlparse(login_link).path == reverse("accounts:login")
    assert parse_qs(urlparse(login_link).query)["next"] == [events["public"].get_absolute_url()]


def test_other_events_ask_the_visitor_to_log_in(events: dict[str, Event], client: Any) -> None:
    for name in ("members", "unpublished"):
        response = client.get(events[name].get_absolute_url())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("events:event_detail", args=[999_999])).status_code == 302
    response = client.post(reverse("events:event_register", args=[events["public"].pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_members_still_see_every_published_event(events: dict[str, Event], world: Any, login: Any) -> None:
    page = login(world["member_a"]).get(reverse("events:event_list")).content.decode()
    assert events["members"].title in page and events["public"].title in page
    detail = login(world["member_a"]).get(events["public"].get_absolute_url()).content.decode()
    assert 'action="' + reverse("events:event_register", args=[events["public"].pk]) in detail


def test_only_webinars_can_be_open_to_everyone(db: Any) -> None:
    event = Event(
        title="Fagdag", kind="professional_day", description="-", place="Hamar", audience="Kommuner",
        starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(hours=2), is_public=True,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "is_public" in error.value.message_dict
