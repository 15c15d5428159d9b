"""The prerequisite graph: closure, dependents, missing, layers, cycles; and the admin form refusing a cycle."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from agreements import graph
from agreements.admin import ServiceAdminForm

# 1 connection; 2 needs 1; 3 stands alone; 4 needs 2 and 3; 5 needs 4
G = {1: frozenset(), 2: frozenset({1}), 3: frozenset(), 4: frozenset({2, 3}), 5: frozenset({4})}


def test_closure_follows_prerequisites_transitively_and_excludes_the_start() -> None:
    assert graph.closure(G, [5]) == {4, 2, 3, 1}
    assert graph.closure(G, [2]) == {1}
    assert graph.closure(G, [1]) == set()
    assert graph.closure(G, [2, 3]) == {1}
    assert graph.closure(G, [99]) == set()


def test_dependents_are_everything_that_needs_a_service_directly_or_not() -> None:
    assert graph.dependents(G, 1) == {2, 4, 5}
    assert graph.dependents(G, 3) == {4, 5}
    assert graph.dependents(G, 5) == set()


def test_missing_is_the_closure_minus_what_is_held_or_wanted() -> None:
    assert graph.missing(G, [5], held=[]) == {1, 2, 3, 4}
    assert graph.missing(G, [5], held=[1, 3]) == {2, 4}
    assert graph.missing(G, [5, 4, 2], held=[1, 3]) == set()
    assert graph.missing(G, [3], held=[]) == set()


def test_layers_put_each_service_after_everything_it_needs() -> None:
    assert graph.layers(G) == [[1, 3], [2], [4], [5]]
    assert graph.layers({}) == []


def test_layers_never_loop_on_a_cycle() -> None:
    cyclic = {1: frozenset({2}), 2: frozenset({1})}
    assert sorted(n for layer in graph.layers(cyclic) for n in layer) == [1, 2]


def test_check_acyclic_accepts_a_dag_and_refuses_cycles() -> None:
    graph.check_acyclic(G)
    with pytest.raises(ValidationError):
        graph.check_acyclic({**G, 1: frozenset({5})})
    with pytest.raises(ValidationError):
        graph.check_acyclic({7: frozenset({7})})


def test_prerequisite_map_reads_the_catalogue(catalogue: dict[str, Any]) -> None:
    prerequisites = graph.prerequisite_map()
    assert set(prerequisites) == {s.pk for s in catalogue.values()}
    assert prerequisites[catalogue["kjernejournal"].pk] == {
        catalogue["helseid"].pk,
        catalogue["helsenettforbindelse"].pk,
    }
    assert prerequisites[catalogue["helsenettforbindelse"].pk] == frozenset()
    pll_needs = graph.closure(prerequisites, [catalogue["pll"].pk])
    assert pll_needs == {catalogue[s].pk for s in ("e-resept", "kjernejournal", "helseid", "helsenettforbindelse")}
    graph.check_acyclic(prerequisites)


def _admin_data(service: Any, prerequisites: list[Any]) -> dict[str, Any]:
    return {
        "slug": service.slug,
        "name": service.name,
        "short_description": service.short_description,
        "category": service.category,
        "orderable_forms": "[]",
        "prerequisites": [p.pk for p in prerequisites],
        "requires_membership": "on",
        "lifecycle": service.lifecycle,
        "price_basis": service.price_basis,
        "fixed_amount": str(service.fixed_amount),
        "unit_price": str(service.unit_price),
        "minimum_amount": str(service.minimum_amount),
        "sort_order": service.sort_order,
    }


def test_admin_form_refuses_a_cycle_with_a_clear_error(catalogue: dict[str, Any]) -> None:
    connection = catalogue["helsenettforbindelse"]  # Kjernejournal needs it; it must not need Kjernejournal
    form = ServiceAdminForm(_admin_data(connection, [catalogue["kjernejournal"]]), instance=connection)

    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["prerequisites"] == ["A service cannot need itself, directly or through other services."]
    assert connection.prerequisites.count() == 0


def test_admin_form_refuses_a_service_needing_itself(catalogue: dict[str, Any]) -> None:
    domain = catalogue["domene"]
    form = ServiceAdminForm(_admin_data(domain, [domain]), instance=domain)
    assert not form.is_valid()
    assert "prerequisites" in form.errors


def test_admin_form_accepts_a_new_prerequisite_that_keeps_the_graph_acyclic(catalogue: dict[str, Any]) -> None:
    domain = catalogue["domene"]
    form = ServiceAdminForm(_admin_data(domain, [catalogue["helsenettforbindelse"]]), instance=domain)
    assert form.is_valid(), form.errors
    form.save()
    assert list(domain.prerequisites.all()) == [catalogue["helsenettforbindelse"]]
