"""The organisation list's cached rows, total and filter form (organisations.listing): served without
their queries until the registry changes, never stale after a change, never shared between scopes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisations import listing
from organisations.models import Organisation
from organisations.tests.factories import OrganisationFactory

URL = reverse("organisations:organisation_list")


@pytest.fixture
def staff(world: Any, login: Any) -> Any:
    return login(world["customer_centre"])


def _organisation_queries(client: Any, params: dict[str, str]) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries if "organisations_" in q["sql"]]


def test_a_second_request_reads_no_organisation_and_shows_the_same_page(world: Any, staff: Any) -> None:
    first, _ = _organisation_queries(staff, {"form": "KOMM", "sort": "name"})
    second, queries = _organisation_queries(staff, {"form": "KOMM", "sort": "name"})
    assert queries == []  # rows, total and the form's county and network choices: all cached
    assert first.context["results"] == second.context["results"]  # (the layout's nonces differ)
    assert first.context["filters"] == second.context["filters"]
    assert "<form" in second.content.decode() and "&lt;form" not in second.content.decode()


def test_a_new_organisation_and_a_new_name_show_on_the_next_request(world: Any, staff: Any) -> None:
    before = staff.get(URL, {"form": "AS"})
    org = OrganisationFactory(name="Aller Nyaste Legesenter AS", form="AS")
    after = staff.get(URL, {"form": "AS"})
    assert "Aller Nyaste Legesenter AS" not in before.content.decode()
    assert "Aller Nyaste Legesenter AS" in after.content.decode()
    assert after.context["page"].paginator.count == before.context["page"].paginator.count + 1
    org.name = "Omdøypt Legesenter AS"
    org.save()
    assert "Omdøypt Legesenter AS" in staff.get(URL, {"form": "AS"}).content.decode()


def test_an_htmx_request_gets_the_same_cached_rows(world: Any, staff: Any) -> None:
    page = staff.get(URL, {"form": "AS"}).content.decode()
    fragment = staff.get(URL, {"form": "AS"}, headers={"HX-Request": "true"}).content.decode()
    assert "<form" not in fragment and fragment.strip() in page


def test_a_coordinator_never_gets_the_rows_cached_for_staff(world: Any, staff: Any, login: Any) -> None:
    everything = staff.get(URL).context["page"].paginator.count
    coordinator = login(world["coordinator_a"])
    response = coordinator.get(URL)
    visible = Organisation.objects.visible_to(world["coordinator_a"]).count()
    assert response.context["page"].paginator.count == visible < everything
    assert world.org_b.name not in response.content.decode()


def test_a_change_that_bypasses_the_model_is_seen_within_the_time_to_live(world: Any, staff: Any) -> None:
    staff.get(URL, {"form": "AS"})
    Organisation.objects.filter(form="AS").update(name="Stille Endring AS")  # no signal
    later = timezone.now() + dt.timedelta(seconds=2 * listing.TTL_SECONDS + 1)
    with time_machine.travel(later):
        assert "Stille Endring AS" in staff.get(URL, {"form": "AS"}).content.decode()
