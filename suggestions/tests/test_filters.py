"""The suggestion list's FilterSet: category and status narrow the list; a bad value shows every
suggestion with the form's error, never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from suggestions.filters import SuggestionFilter
from suggestions.models import Suggestion


@pytest.fixture
def suggestions(world: Any) -> dict[str, Suggestion]:
    def make(title: str, category: str, status: str) -> Suggestion:
        return Suggestion.objects.create(title=title, category=category, status=status, created_by=world["admin_a"])

    return {
        "roadmap": make("Veikart for nasjonale e-helseløsninger", "roadmap", "new"),
        "price": make("Prismodell for kommunene", "price_model", "planned"),
    }


def filtered(**params: str) -> set[str]:
    return set(SuggestionFilter(params, queryset=Suggestion.objects.all()).qs.values_list("title", flat=True))


def test_category_and_status_narrow_the_list(suggestions: dict[str, Suggestion]) -> None:
    roadmap, price = suggestions["roadmap"].title, suggestions["price"].title
    assert filtered() == {roadmap, price}
    assert filtered(category="roadmap") == {roadmap}
    assert filtered(status="planned") == {price}
    assert filtered(category="roadmap", status="planned") == set()


@pytest.mark.parametrize("params", [{"status": "nonsense"}, {"category": "nonsense", "status": "planned"}])
def test_a_bad_value_shows_every_suggestion_and_says_why(
    world: Any, login: Any, suggestions: dict[str, Suggestion], params: dict[str, str]
) -> None:
    assert filtered(**params) == {s.title for s in suggestions.values()}
    response = login(world["member_a"]).get(reverse("suggestions:suggestion_list"), params)
    assert response.status_code == 200
    assert response.context["filters"].errors
    content = response.content.decode()
    assert all(s.title in content for s in suggestions.values())
