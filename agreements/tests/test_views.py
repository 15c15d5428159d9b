"""The public catalogue pages and an organisation's services page: content, scoping and bounded queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.choices import AgreementState, Category
from agreements.models import OrganisationSize, ServiceTermsVersion
from agreements.tests.factories import current_version, make_agreement, make_order, make_signing, service
from orders.choices import OrderState
from orders.models import Order


@pytest.mark.parametrize("persona", [None, "member_a", "customer_centre"])
def test_the_catalogue_lists_every_service_for_everyone(
    world: Any, catalogue: Any, login: Any, client: Any, persona: str | None
) -> None:
    response = (login(world[persona]) if persona else client).get(reverse("agreements:catalogue"))
    assert response.status_code == 200
    assert len(response.context["services"]) == len(catalogue) == 16
    content = response.content.decode()
    assert "Kjernejournal" in content and "Nasjonalt beskyttelsesprogram" in content


def test_the_catalogue_filters_by_category_and_lifecycle(catalogue: Any, client: Any) -> None:
    response = client.get(reverse("agreements:catalogue"), {"category": Category.MEDICATION})
    assert sorted(s.slug for s in response.context["services"]) == ["e-resept", "pll", "sfm"]
    response = client.get(reverse("agreements:catalogue"), {"lifecycle": "planned"})
    assert [s.slug for s in response.context["services"]] == ["helsenett-sky"]


def test_the_catalogue_runs_a_bounded_number_of_queries(
    catalogue: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        client.get(reverse("agreements:catalogue"))


def test_the_overview_draws_the_graph_and_the_roadmap_with_text_equivalents(catalogue: Any, client: Any) -> None:
    response = client.get(reverse("agreements:overview"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<svg") >= 2
    assert "<title" in content  # the SVGs have accessible names
    # the text equivalent of the graph: Kjernejournal needs HelseID and Helsenettforbindelse
    item = re.search(r"<li><a href=\"/services/kjernejournal/\">Kjernejournal</a>(.*?)</li>", content, re.S)
    assert item is not None
    assert "HelseID" in item.group(1) and "Helsenettforbindelse" in item.group(1)
    # the roadmap as a table includes the planned service
    assert "Helsenett i skyen" in content
    assert any(row.name == "Helsenett i skyen" for row in response.context["roadmap_rows"])


def test_a_service_page_shows_all_prerequisites_terms_and_an_estimate(world: Any, catalogue: Any, login: Any) -> None:
    OrganisationSize.objects.create(organisation=world.org_a, inhabitants=35_000)
    response = login(world["admin_a"]).get(reverse("agreements:service_detail", args=["pll"]))
    assert response.status_code == 200
    assert sorted(s.slug for s in response.context["all_prerequisites"]) == [
        "e-resept",
        "helseid",
        "helsenettforbindelse",
        "kjernejournal",
    ]
    assert response.context["terms"] == current_version("pll")
    [(org, estimate)] = (
        login(world["admin_a"]).get(reverse("agreements:service_detail", args=["kjernejournal"])).context["estimates"]
    )
    assert org == world.org_a
    assert estimate.amount == 42000
    assert not response.context["may_manage_terms"]


def test_a_service_page_for_a_terms_manager_links_to_new_terms(world: Any, catalogue: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(reverse("agreements:service_detail", args=["helseid"]))
    assert response.context["may_manage_terms"]
    assert reverse("agreements:terms_new", args=["helseid"]) in response.content.decode()


def test_an_unknown_service_is_404(catalogue: Any, client: Any) -> None:
    assert client.get(reverse("agreements:service_detail", args=["finnes-ikke"])).status_code == 404


def test_the_terms_page_shows_general_and_special_terms(catalogue: Any, client: Any) -> None:
    version = current_version("kjernejournal")
    response = client.get(reverse("agreements:terms_detail", args=["kjernejournal", version.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Generelle vilkår for Kjernejournal" in content
    assert "legevakt, sykehjem og hjemmetjeneste" in content  # KOMM
    assert "fastlegepraksis" in content  # ENK
    assert version.text_sha256 in content


def test_a_draft_or_another_services_terms_are_404(catalogue: Any, client: Any) -> None:
    draft = ServiceTermsVersion.objects.create(service=service("helseid"), label="utkast", general_terms="Utkast")
    assert client.get(reverse("agreements:terms_detail", args=["helseid", draft.pk])).status_code == 404
    other = current_version("kjernejournal")
    assert client.get(reverse("agreements:terms_detail", args=["helseid", other.pk])).status_code == 404


# --- an organisation's services ---------------------------------------------------------------------------------


@pytest.fixture
def holdings(member_a: Any) -> Any:
    world = member_a
    OrganisationSize.objects.create(organisation=world.org_a, inhabitants=35_000)
    make_agreement(world.org_a, "helsenettforbindelse")  # 36 000
    make_agreement(world.org_a, "kjernejournal", state=AgreementState.MUST_RESIGN)  # 42 000
    make_agreement(world.org_a, "domene", state=AgreementState.TERMINATED)  # ended: not listed
    signing = make_signing(world.org_a, world["admin_a"])
    make_order(world.org_a, "helseid", world["admin_a"], signing=signing)
    make_agreement(world.org_b, "helseid")
    return world


def test_the_organisation_page_lists_agreements_orders_and_the_estimated_total(holdings: Any, login: Any) -> None:
    response = login(holdings["member_a"]).get(reverse("agreements:organisation_services", args=[holdings.org_a.pk]))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert [line.agreement.service.slug for line in overview.lines] == ["helsenettforbindelse", "kjernejournal"]
    assert (overview.total, overview.total_complete) == (78000, True)
    assert [o.service.slug for o in response.context["orders"]] == ["helseid"]
    assert len(response.context["signings"]) == 1
    content = response.content.decode()
    assert "Domene" not in content
    assert not response.context["may_sign"]  # a technical contact does not sign


def test_a_coordinator_sees_agreements_but_no_orders_they_could_not_open(holdings: Any, login: Any) -> None:
    response = login(holdings["coordinator_a"]).get(
        reverse("agreements:organisation_services", args=[holdings.org_a.pk])
    )
    assert response.status_code == 200
    assert len(response.context["overview"].lines) == 2
    assert response.context["orders"] is None
    assert "/orders/" not in response.content.decode()


def test_the_signatory_gets_the_flow_and_the_end_links(holdings: Any, login: Any) -> None:
    response = login(holdings["admin_a"]).get(reverse("agreements:organisation_services", args=[holdings.org_a.pk]))
    assert response.context["may_sign"]
    assert reverse("agreements:guided_flow", args=[holdings.org_a.pk]) in response.content.decode()


def test_an_unknown_size_makes_the_total_incomplete(holdings: Any, login: Any) -> None:
    OrganisationSize.objects.filter(organisation=holdings.org_a).update(inhabitants=None)
    response = login(holdings["admin_a"]).get(reverse("agreements:organisation_services", args=[holdings.org_a.pk]))
    assert (response.context["overview"].total, response.context["overview"].total_complete) == (36000, False)


def test_another_organisations_services_are_404(holdings: Any, login: Any) -> None:
    assert (
        login(holdings["admin_a"])
        .get(reverse("agreements:organisation_services", args=[holdings.org_b.pk]))
        .status_code
        == 404
    )


def test_the_organisation_page_runs_a_bounded_number_of_queries(
    holdings: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(holdings["admin_a"])
    url = reverse("agreements:organisation_services", args=[holdings.org_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for slug in ["helseid", "e-resept", "sfm", "grunndata"]:
        make_agreement(holdings.org_a, slug)
    for slug in ["pll", "helsenorge", "persontjenesten"]:
        make_order(holdings.org_a, slug, holdings["admin_a"], state=OrderState.IN_REVIEW)
    make_signing(holdings.org_a, holdings["admin_a"])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    with django_assert_max_num_queries(20):
        client.get(url)


def test_the_signing_page_and_pdf(holdings: Any, login: Any) -> None:
    from agreements.models import ServiceSigning

    signing = ServiceSigning.objects.get()
    client = login(holdings["admin_a"])
    page = client.get(reverse("agreements:signing_detail", args=[signing.pk]))
    assert page.status_code == 200
    assert [o.service.slug for o in page.context["orders"]] == ["helseid"]
    pdf = client.get(reverse("agreements:signing_pdf", args=[signing.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(signing.signed_pdf)
    assert "attachment" in pdf["Content-Disposition"]


def test_the_organisation_page_panel_lists_agreements_open_orders_and_the_flow(holdings: Any, login: Any) -> None:
    """The services panel on the organisation page reads its figures from the panel, not the page."""
    org_url = reverse("organisations:organisation_detail", args=[holdings.org_a.pk])
    content = login(holdings["admin_a"]).get(org_url).content.decode()
    assert "No service agreements yet." not in content
    assert "Helsenettforbindelse" in content and "Kjernejournal" in content
    order = Order.objects.get(organisation=holdings.org_a)
    assert order.get_absolute_url() in content  # the open order
    assert reverse("agreements:guided_flow", args=[holdings.org_a.pk]) in content
    content = login(holdings["member_a"]).get(org_url).content.decode()
    assert reverse("agreements:guided_flow", args=[holdings.org_a.pk]) not in content
