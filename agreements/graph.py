"""The prerequisite graph: what a service needs (directly and through others), and what needs it.

Pure functions over an adjacency map ``{service id: {prerequisite ids}}`` read once with
``prerequisite_map()``, so the catalogue, the flow and the orders agree on one reading of the graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agreements.models import Service

Graph = Mapping[int, frozenset[int]]


def prerequisite_map() -> dict[int, frozenset[int]]:
    """Every service's direct prerequisites, in one query."""
    graph: dict[int, set[int]] = {pk: set() for pk in Service.objects.values_list("pk", flat=True)}
    for service_id, prerequisite_id in Service.prerequisites.through.objects.values_list(
        "from_service_id", "to_service_id"
    ):
        graph.setdefault(service_id, set()).add(prerequisite_id)
    return {pk: frozenset(ids) for pk, ids in graph.items()}


def closure(graph: Graph, start: Iterable[int]) -> set[int]:
    """Every prerequisite of ``start``, directly or through others (``start`` itself not included)."""
    seen: set[int] = set()
    stack = [p for s in start for p in graph.get(s, ())]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return seen


def dependents(graph: Graph, service_id: int) -> set[int]:
    """Every service that needs ``service_id``, directly or through others."""
    reverse: dict[int, set[int]] = {}
    for node, prerequisites in graph.items():
        for p in prerequisites:
            reverse.setdefault(p, set()).add(node)
    seen: set[int] = set()
    stack = list(reverse.get(service_id, ()))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(reverse.get(node, ()))
    return seen


def missing(graph: Graph, wanted: Iterable[int], held: Iterable[int]) -> set[int]:
    """Prerequisites of ``wanted`` that are neither held nor wanted."""
    wanted = set(wanted)
    return closure(graph, wanted) - wanted - set(held)


def check_acyclic(graph: Graph) -> None:
    """Raise ValidationError when a service needs itself, directly or through others."""
    for node in graph:
        if node in closure(graph, [node]):
            raise ValidationError(_("A service cannot need itself, directly or through other services."))


def layers(graph: Graph) -> list[list[int]]:
    """Services by depth: first those that need nothing, then those that need only earlier layers."""
    depth: dict[int, int] = {}

    def visit(node: int, trail: frozenset[int]) -> int:
        if node in depth:
            return depth[node]
        if node in trail:  # a cycle; check_acyclic keeps them out, but never loop
            return 0
        result = 1 + max((visit(p, trail | {node}) for p in graph.get(node, ())), default=-1)
        depth[node] = result
        return result

    for node in graph:
        visit(node, frozenset())
    grouped: dict[int, list[int]] = {}
    for node, d in depth.items():
        grouped.setdefault(d, []).append(node)
    return [sorted(grouped[d]) for d in sorted(grouped)]
