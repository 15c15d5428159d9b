"""The support queue's FilterSet: each filter narrows the queue, and bad input shows the unfinished
requests with the form's error, never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from support.choices import RequestStatus
from support.filters import SupportQueueFilter
from support.models import SupportRequest
from support.services import support_request_create


def ask(world: Any, user: str, org: Any, subject: str, category: str = "access") -> SupportRequest:
    return support_request_create(actor=world[user], organisation=org, subject=subject, category=category, body="?")


@pytest.fixture
def queue(world: Any) -> dict[str, SupportRequest]:
    open_access = ask(world, "member_a", world.org_a, "Tilgang til kjernejournal")
    resolved = ask(world, "admin_b", world.org_b, "Faktura for 2025", category="invoice")
    SupportRequest.objects.filter(pk=resolved.pk).update(status=RequestStatus.RESOLVED)
    return {"open": open_access, "resolved": resolved}


def filtered(world: Any, **params: str) -> set[int]:
    request = RequestFactory().get("/", params)
    request.user = world["customer_centre"]
    return set(
        SupportQueueFilter(request.GET, queryset=SupportRequest.objects.all(), request=request).qs.values_list(
            "pk", flat=True
        )
    )


def test_each_filter_narrows_the_queue(world: Any, queue: dict[str, SupportRequest]) -> None:
    first, done = queue["open"].pk, queue["resolved"].pk
    assert filtered(world) == {first}  # unfinished by default
    assert filtered(world, status="all") == {first, done}
    assert filtered(world, status=RequestStatus.RESOLVED) == {done}
    assert filtered(world, status="all", category="invoice") == {done}
    assert filtered(world, status="all", assigned="none") == {first, done}
    assert filtered(world, status="all", assigned="me") == set()
    assert filtered(world, status="all", q="KJERNEJOURNAL") == {first}
    assert filtered(world, status="all", q=f"#{done}") == {done}
    assert filtered(world, status="all", q="   ") == {first, done}


@pytest.mark.parametrize(
    "params",
    [{"status": "nonsense"}, {"category": "nonsense"}, {"assigned": "everybody"}, {"q": "x" * 101}],
)
def test_bad_input_shows_the_unfinished_requests_and_says_why(
    world: Any, login: Any, queue: dict[str, SupportRequest], params: dict[str, str]
) -> None:
    assert filtered(world, **params) == {queue["open"].pk}
    response = login(world["customer_centre"]).get(
        reverse("support:queue"), {**params, "status": params.get("status", "all")}
    )
    assert response.status_code == 200
    assert response.context["filters"].errors  # the form tells which filter it could not use
    content = response.content.decode()
    assert queue["open"].subject in content and queue["resolved"].subject not in content


def test_a_filtered_queue_runs_a_bounded_number_of_queries(
    world: Any, login: Any, queue: dict[str, SupportRequest], django_assert_max_num_queries: Any
) -> None:
    for i in range(15):
        ask(world, "member_a", world.org_a, f"Spørsmål {i}")
    client = login(world["customer_centre"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("support:queue"), {"status": "all", "category": "access", "q": "spørsmål"})
    assert response.status_code == 200 and response.content.decode().count("Spørsmål ") == 15
