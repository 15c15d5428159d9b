"""The customer centre's queue and the order page: filters, scoping, the forms, and bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.tests.factories import make_order
from orders.choices import OrderState
from orders.models import Order
from organisations.tests.factories import MunicipalityFactory

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.fixture
def orders(member_a: Any) -> dict[str, Order]:
    """A: Kjernejournal (20 days old) and HelseID (in review, assigned to the customer centre);
    B: Domene (delivered) and HelseID (new)."""
    world = member_a
    with time_machine.travel(T0 - dt.timedelta(days=20), tick=False):
        old = make_order(world.org_a, "kjernejournal", world["admin_a"])
    with time_machine.travel(T0 - dt.timedelta(days=2), tick=False):
        review = make_order(world.org_a, "helseid", world["admin_a"], state=OrderState.IN_REVIEW)
        Order.objects.filter(pk=review.pk).update(assignee=world["customer_centre"])
        delivered = make_order(world.org_b, "domene", world["admin_b"], state=OrderState.DELIVERED)
        fresh = make_order(world.org_b, "helseid", world["admin_b"])
    return {"old": old, "review": review, "delivered": delivered, "fresh": fresh}


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def listed(client: Any, **params: Any) -> set[int]:
    response = client.get(reverse("orders:queue"), params)
    assert response.status_code == 200
    return {o.pk for o in response.context["page"]}


def ids(orders: dict[str, Order], *names: str) -> set[int]:
    return {orders[n].pk for n in names}


def test_the_queue_shows_open_orders_oldest_first(member_a: Any, orders: Any, login: Any) -> None:
    client = login(member_a["customer_centre"])
    response = client.get(reverse("orders:queue"))
    assert [o.pk for o in response.context["page"]] == [orders["old"].pk, orders["review"].pk, orders["fresh"].pk]
    content = response.content.decode()
    assert orders["old"].reference in content and "Ringsaker" in content and "Innlandet" in content


def test_the_queue_filters(member_a: Any, orders: Any, login: Any) -> None:
    client = login(member_a["customer_centre"])
    assert listed(client, state="all") == ids(orders, "old", "review", "delivered", "fresh")
    assert listed(client, state=OrderState.DELIVERED) == ids(orders, "delivered")
    assert listed(client, state=OrderState.IN_REVIEW) == ids(orders, "review")
    assert listed(client, service=orders["fresh"].service_id) == ids(orders, "review", "fresh")
    assert listed(client, service=orders["fresh"].service_id, state="all") == ids(orders, "review", "fresh")
    county_b = member_a.municipality_b.county.number
    assert listed(client, county=county_b, state="all") == ids(orders, "delivered", "fresh")
    assert listed(client, county=member_a.municipality_a.county.number) == ids(orders, "old", "review")
    assert listed(client, older_than=10) == ids(orders, "old")
    assert listed(client, older_than=1) == ids(orders, "old", "review", "fresh")
    assert listed(client, assignee="me") == ids(orders, "review")
    assert listed(client, assignee="nobody") == ids(orders, "old", "fresh")
    assert listed(login(member_a["membership_manager"]), assignee="me") == set()


def test_a_bad_filter_shows_the_open_orders_and_the_error(member_a: Any, orders: Any, login: Any) -> None:
    client = login(member_a["customer_centre"])
    response = client.get(reverse("orders:queue"), {"older_than": "-3"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert {o.pk for o in response.context["page"]} == ids(orders, "old", "review", "fresh")


@pytest.mark.parametrize("persona", ["admin_a", "member_a"])
def test_a_member_sees_its_own_order_and_not_another_organisations(
    member_a: Any, orders: Any, login: Any, persona: str
) -> None:
    client = login(member_a[persona])
    own = client.get(reverse("orders:order_detail", args=[orders["old"].pk]))
    assert own.status_code == 200
    assert "Kjernejournal" in own.content.decode()
    assert own.context["transition_form"] is None  # members do not move orders
    assert client.get(reverse("orders:order_detail", args=[orders["fresh"].pk])).status_code == 404
    assert client.get(reverse("orders:queue")).status_code == 403


def test_the_order_page_gives_the_handler_the_allowed_moves(member_a: Any, orders: Any, login: Any) -> None:
    response = login(member_a["customer_centre"]).get(reverse("orders:order_detail", args=[orders["review"].pk]))
    form = response.context["transition_form"]
    assert {value for value, _label in form.fields["to_state"].choices} == {"in_delivery", "rejected", "cancelled"}
    assert response.context["cancel_form"] is None  # staff do not withdraw the member's order
    durations = dict(response.context["durations"])
    assert durations[OrderState.SUBMITTED] == dt.timedelta(days=2)  # set up without a move: submitted until now
    closed = login(member_a["customer_centre"]).get(reverse("orders:order_detail", args=[orders["delivered"].pk]))
    assert closed.context["transition_form"] is None and closed.context["assign_form"] is None


def test_moving_an_order_through_the_page(member_a: Any, orders: Any, login: Any) -> None:
    client = login(member_a["customer_centre"])
    url = reverse("orders:order_transition", args=[orders["old"].pk])
    response = client.post(url, {"to_state": OrderState.IN_REVIEW, "comment": ""})
    assert response.status_code == 302
    orders["old"].refresh_from_db()
    assert orders["old"].state == OrderState.IN_REVIEW

    refused = client.post(url, {"to_state": OrderState.REJECTED, "comment": ""})  # a reason is required
    assert refused.status_code == 400
    illegal = client.post(url, {"to_state": OrderState.DELIVERED, "comment": ""})  # not from in review
    assert illegal.status_code == 400
    orders["old"].refresh_from_db()
    assert orders["old"].state == OrderState.IN_REVIEW


def test_assigning_and_commenting_through_the_page(member_a: Any, orders: Any, login: Any) -> None:
    client = login(member_a["customer_centre"])
    order = orders["old"]
    assert (
        client.post(
            reverse("orders:order_assign", args=[order.pk]), {"assignee": member_a["customer_centre"].pk}
        ).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.assignee == member_a["customer_centre"]
    bad = client.post(reverse("orders:order_assign", args=[order.pk]), {"assignee": member_a["admin_a"].pk})
    assert bad.status_code == 400
    assert client.post(reverse("orders:order_comment", args=[order.pk]), {"text": "Hei"}).status_code == 302
    assert order.events.last().comment == "Hei"


def test_the_member_withdraws_through_the_page(member_a: Any, orders: Any, login: Any) -> None:
    client = login(member_a["admin_a"])
    page = client.get(reverse("orders:order_detail", args=[orders["old"].pk]))
    assert page.context["cancel_form"] is not None
    response = client.post(reverse("orders:order_cancel", args=[orders["old"].pk]), {"reason": "Ikke nå"})
    assert response.status_code == 302
    orders["old"].refresh_from_db()
    assert orders["old"].state == OrderState.CANCELLED
    # a technical contact may see but not withdraw
    tech = login(member_a["member_a"]).post(reverse("orders:order_cancel", args=[orders["review"].pk]), {"reason": "x"})
    assert tech.status_code == 403


# --- bounded queries --------------------------------------------------------------------------------------------


def _more_orders(world: Any, count: int) -> None:
    """``count`` more organisations, each with two open orders, in their own counties."""
    for _ in range(count):
        org = MunicipalityFactory().organisation
        make_order(org, "helseid", world["admin_a"])
        make_order(org, "kjernejournal", world["admin_a"], state=OrderState.IN_REVIEW)


def _queries(client: Any, url: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_the_queue_runs_a_bounded_number_of_queries(
    member_a: Any, orders: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(member_a["customer_centre"])
    url = reverse("orders:queue")
    client.get(url)  # warm the session and caches
    few = _queries(client, url, {"state": "all"})
    _more_orders(member_a, 6)
    many = _queries(client, url, {"state": "all"})
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(url, {"state": "all", "county": member_a.municipality_a.county_id})


def test_the_order_page_runs_a_bounded_number_of_queries(
    member_a: Any, orders: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    from orders import services

    client = login(member_a["customer_centre"])
    order = orders["old"]
    url = reverse("orders:order_detail", args=[order.pk])
    client.get(url)
    few = _queries(client, url)
    agent = member_a["customer_centre"]
    services.order_assign(actor=agent, order=order, assignee=agent)
    services.order_transition(actor=agent, order=order, to_state=OrderState.IN_REVIEW)
    for n in range(5):
        services.order_comment(actor=member_a["admin_a"], order=order, text=f"Kommentar {n}")
    many = _queries(client, url)
    assert many == few
    with django_assert_max_num_queries(15):
        client.get(url)
