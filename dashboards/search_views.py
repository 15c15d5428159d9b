"""Find any organisation from the header: by name or number, typed any way, with its membership state.

The customer centre's commonest question is "is this organisation a member?". A complete, valid
organisation number goes straight to the organisation's page (one step); anything else lists the
best matches with their membership state, and the header's type-ahead shows the first few as the
person types.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from core.permissions import Action, require
from dashboards import freshness
from lib.choices import label_of
from lib.search import digits_of
from memberships.choices import MEMBERSHIP_STATE_COLOURS, MembershipState
from organisations.models import Organisation

RESULTS = 50
SUGGESTIONS = 8
MAX_QUERY = 100


@dataclass(frozen=True)
class Hit:
    organisation: Organisation
    state_label: str
    state_colour: str


def _hits(request: HttpRequest, text: str, limit: int) -> list[Hit]:
    """The visible organisations best matching ``text``, each with its membership state: one query, and
    none while neither an organisation nor a membership has changed (``dashboards.freshness``: cached per
    generation, language, who may see what, the text and the limit)."""

    def compute() -> list[Hit]:
        organisations = (
            Organisation.objects.visible_to(request.user)
            .search(text)
            .select_related("address_municipality", "membership")
        )
        hits = []
        for org in organisations[:limit]:
            membership = getattr(org, "membership", None)
            state = MembershipState(membership.state if membership else MembershipState.NOT_MEMBER)
            hits.append(Hit(org, label_of(MembershipState, state), MEMBERSHIP_STATE_COLOURS[state]))
        return hits

    return freshness.cached("find", (freshness.scope_key(request.user), limit, text), compute)


def _query(request: HttpRequest) -> str:
    return " ".join(request.GET.get("q", "").split())[:MAX_QUERY]


@login_required
def find(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.ORGANISATION_LIST)
    text = _query(request)
    digits = digits_of(text)
    if digits is not None and len(digits) == 9:
        exact = Organisation.objects.visible_to(request.user).filter(org_number=digits).first()
        if exact is not None:
            return redirect(exact)
    hits = _hits(request, text, RESULTS) if text else []
    return render(request, "dashboards/find.html", {"q": text, "hits": hits, "limit": RESULTS})


@login_required
def find_suggestions(request: HttpRequest) -> HttpResponse:
    """The type-ahead: the first few hits, as a list of links under the header's search field."""
    require(request.user, Action.ORGANISATION_LIST)
    text = _query(request)

    def fragment() -> str:
        hits = _hits(request, text, SUGGESTIONS) if len(text) >= 2 else []
        return render_to_string("dashboards/partials/_find_suggestions.html", {"q": text, "hits": hits})

    # Typed letter by letter by many people at once: the list itself is kept, rendered, like its hits.
    return HttpResponse(freshness.cached("find-suggestions", (freshness.scope_key(request.user), text), fragment))
