# ruff: noqa: F811 - the status tests' fixtures (clock, version) are imported and used by name
"""Every dashboard and list page runs the same number of queries whatever the amount of data.

Each page is requested once with 10 extra organisations and once with 60 (municipalities inside and
outside the coordinator's network, limited companies, each with an administrator and a membership,
every other one signed, every third one reminded). The query count must not change, and stays under
a small bound.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import page_query_count
from core.roles import OrganisationRoleType
from dashboards.tests.test_status import clock, oslo, sign_at, version  # noqa: F401 - fixtures
from memberships.models import ReminderLog, TermsVersion
from memberships.services import membership_for
from organisations.choices import OrganisationForm
from organisations.models import Organisation
from organisations.tests.factories import (
    CountyFactory,
    DiginettverkFactory,
    MunicipalityFactory,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
)

# The status page with a compare date, cold cache, as a coordinator: 24 (figures, services and orders).
MAX_QUERIES = 24


def _grow(version: TermsVersion, world: Any, count: int, start: int) -> None:
    for index in range(start, start + count):
        kind = index % 3
        if kind == 0:  # a municipality in the coordinator's network and county
            organisation = MunicipalityFactory(
                county=world.municipality_a.county, diginettverk=world.municipality_a.diginettverk
            ).organisation
        elif kind == 1:  # a municipality elsewhere
            organisation = MunicipalityFactory(
                county=CountyFactory(number=f"{10 + index % 80:02d}", name=f"Fylke {index % 80}"),
                diginettverk=DiginettverkFactory(name=f"Nettverk {index:02d}"),
            ).organisation
        else:  # a limited company in Innlandet
            organisation = OrganisationFactory(form=OrganisationForm.AS, address_municipality=world.municipality_a)
        RoleFactory(user=UserFactory(), organisation=organisation, role=OrganisationRoleType.ADMIN)
        membership_for(organisation)
        if index % 2:
            sign_at(version, organisation, oslo(2027, 2, 1) + dt.timedelta(days=index % 40))
        elif index % 3 == 0:
            ReminderLog.objects.create(organisation=organisation, terms_version=version, step="30")


def _pages(world: Any, version: TermsVersion) -> list[tuple[str, str, str, dict[str, str]]]:
    """(label, persona, url, query) of every dashboard and list page and download."""
    network = str(world.municipality_a.diginettverk_id)
    compare = {"as_of": "2027-03-10", "compare": "2027-02-10"}
    pages = []
    for persona in ("membership_manager", "coordinator_a"):
        pages += [
            ("status", persona, reverse("dashboards:status"), {}),
            ("status compared", persona, reverse("dashboards:status"), compare),
            ("map", persona, reverse("dashboards:status_map"), {"as_of": "2027-03-10"}),
            ("status.xlsx", persona, reverse("dashboards:status_xlsx"), compare),
            ("missing", persona, reverse("dashboards:missing"), {}),
            ("missing page 2", persona, reverse("dashboards:missing"), {"page": "2"}),
            ("missing.csv", persona, reverse("dashboards:missing_csv"), {}),
            ("missing.xlsx", persona, reverse("dashboards:missing_xlsx"), {}),
            ("county report", persona, reverse("dashboards:status_report", args=["county", "34"]), {}),
            ("network report", persona, reverse("dashboards:status_report", args=["diginettverk", network]), {}),
        ]
    pages += [
        ("public", "anonymous", reverse("dashboards:public_status"), {}),
        ("public json", "anonymous", reverse("dashboards:status_json"), {"date": "2027-03-01"}),
    ]
    return pages


def _measure(world: Any, version: TermsVersion) -> dict[str, int]:
    clients: dict[str, Client] = {}
    counts: dict[str, int] = {}
    for label, persona, url, query in _pages(world, version):
        client = clients.get(persona)
        if client is None:
            client = clients[persona] = Client()
            if persona != "anonymous":
                client.force_login(world[persona], backend="accounts.backends.PortalBackend")
            client.get(reverse("dashboards:status_json"))  # the session is warm
        cache.clear()  # the cold path: cached figures would hide a query per row
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        assert response.status_code == 200, (label, persona, response.status_code)
        counts[f"{label} as {persona}"] = page_query_count(queries.captured_queries)
    return counts


@pytest.mark.django_db
def test_every_dashboard_page_runs_the_same_number_of_queries_at_two_data_sizes(
    version: TermsVersion, world: Any
) -> None:
    _grow(version, world, 10, start=0)
    small = _measure(world, version)
    assert Organisation.objects.count() == 3 + 10

    _grow(version, world, 50, start=10)
    large = _measure(world, version)
    assert Organisation.objects.count() == 3 + 60

    assert large == small
    assert max(small.values()) <= MAX_QUERIES, small
    # The data did grow where the pages look: more than one page of organisations that have not signed.
    from dashboards import status

    missing = status.missing_organisations(version, Organisation.objects.all(), dt.date(2027, 3, 20))
    assert missing.count() > 30
