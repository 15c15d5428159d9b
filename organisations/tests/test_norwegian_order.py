"""Names sort as Norwegian, the same on SQLite and PostgreSQL: Æ, Ø and Å after Z, "Aa" as Å."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from lib.collation import sort_key
from organisations.models import Municipality, Organisation
from organisations.tests.factories import OrganisationFactory

NORWEGIAN_ORDER = [
    "1. Lege AS",
    "Aukra kommune",
    "Bodø kommune",
    "Bø kommune",
    "Eid legesenter",
    "Sør Aurdal legekontor",
    "Sør-Fron kommune",
    "Sørfold kommune",
    "Ulvik kommune",
    "Ytre legesenter",
    "Zeta AS",
    "Ærlig lege AS",
    "Øyer kommune",
    "Aaberg fysioterapi",
    "Ål kommune",
    "Åsnes kommune",
]


@pytest.mark.django_db
def test_the_database_orders_names_as_norwegian() -> None:
    shuffled = NORWEGIAN_ORDER[:]
    random.Random(7).shuffle(shuffled)
    for name in shuffled:
        OrganisationFactory(name=name)

    assert (
        list(Organisation.objects.filter(name__in=NORWEGIAN_ORDER).order_by("name").values_list("name", flat=True))
        == NORWEGIAN_ORDER
    )
    assert (
        list(
            Organisation.objects.filter(name__in=NORWEGIAN_ORDER).order_by("search_name").values_list("name", flat=True)
        )
        == NORWEGIAN_ORDER
    )


def test_the_organisation_list_sorted_by_name_is_in_norwegian_order(world: Any, login: Any) -> None:
    for name in reversed(NORWEGIAN_ORDER):
        OrganisationFactory(name=name)

    response = login(world["customer_centre"]).get(reverse("organisations:organisation_list"), {"sort": "name"})

    names = [org.name for org in response.context["page"].object_list if org.name in NORWEGIAN_ORDER]
    assert names == NORWEGIAN_ORDER


@pytest.mark.django_db
def test_sqlite_and_postgresql_agree_on_every_municipality_name() -> None:
    """The SQLite collation is Python (lib.collation); PostgreSQL's is ICU. On PostgreSQL this compares
    the two on the 357 municipalities and the hard cases; on SQLite it checks the database applies it."""
    from organisations.reference import load_reference_data

    load_reference_data()
    names = list(Municipality.objects.values_list("name", flat=True)) + NORWEGIAN_ORDER + ["Aa", "Ås", "Aas", "Åse"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT n FROM unnest(%s::text[]) n ORDER BY n COLLATE norwegian", [names])
            database_order = [row[0] for row in cursor.fetchall()]
        else:
            database_order = list(Municipality.objects.order_by("name").values_list("name", flat=True))
            names = database_order[:]
    assert database_order == sorted(names, key=sort_key)
