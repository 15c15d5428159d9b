"""Services and orders on the status dashboard: re-signed agreements and open orders per group, scoped."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from agreements.choices import AgreementState
from agreements.tests.conftest import catalogue  # noqa: F401 - the fixture
from agreements.tests.factories import make_agreement, make_order, make_signing
from dashboards import status
from orders.choices import OrderState
from organisations.models import Organisation


def test_service_figures_count_live_agreements_and_open_orders_per_group(world: Any, catalogue: Any) -> None:  # noqa: F811
    a, b = world.org_a, world.org_b
    make_agreement(a, "helseid")
    make_agreement(a, "e-resept", state=AgreementState.MUST_RESIGN)
    make_agreement(a, "grunndata", state=AgreementState.TERMINATED)  # ended: not counted
    make_agreement(b, "helseid")
    signing = make_signing(a, world["admin_a"])
    make_order(a, "kjernejournal", world["admin_a"], signing=signing)
    make_order(a, "helsenorge", world["admin_a"], state=OrderState.DELIVERED, signing=signing)  # closed

    national = status.service_figures(Organisation.objects.all())[0]
    assert (national.resigned, national.must_resign, national.open_orders) == (2, 1, 1)
    assert national.percent == 66  # 2 of 3, rounded down

    by_county = {f.label: f for f in status.service_figures(Organisation.objects.all(), group_by="county")}
    county_a = a.address_municipality.county.name
    assert (by_county[county_a].resigned, by_county[county_a].must_resign, by_county[county_a].open_orders) == (1, 1, 1)
    only_a = status.service_figures(Organisation.objects.filter(pk=a.pk))[0]
    assert (only_a.resigned, only_a.must_resign, only_a.open_orders) == (1, 1, 1)


def test_the_dashboard_shows_them_and_links_handlers_to_the_queue(
    world: Any,
    terms: Any,
    catalogue: Any,  # noqa: F811
    login: Any,
) -> None:
    make_agreement(world.org_a, "helseid")
    make_order(world.org_a, "kjernejournal", world["admin_a"], signing=make_signing(world.org_a, world["admin_a"]))
    page = login(world["customer_centre"]).get(reverse("dashboards:status"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "1 of 1 service agreements are on the services" in html
    assert "1 orders are open" in html
    assert f'href="{reverse("orders:queue")}?county={world.org_a.address_municipality.county.number}"' in html
    assert f'href="{reverse("orders:queue")}"' in html
    analyst = login(world["cert_analyst"]).get(reverse("dashboards:status"), HTTP_ACCEPT_LANGUAGE="en")
    assert f'href="{reverse("orders:queue")}"' not in analyst.content.decode()  # cannot open the queue
