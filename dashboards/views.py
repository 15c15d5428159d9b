from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.permissions import Action, can
from dashboards.next_steps import StepContext, next_steps
from organisations.models import Organisation, OrganisationRole


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The front page: the user's own organisations, each with its next step."""
    organisations = list(Organisation.objects.held_by(request.user).order_by("search_name"))
    my_roles: dict[int, list[OrganisationRole]] = defaultdict(list)
    present: dict[int, set[str]] = defaultdict(set)
    for grant in OrganisationRole.objects.active().filter(organisation__in=organisations).select_related("user"):
        present[grant.organisation_id].add(grant.role)
        if grant.user_id == request.user.pk:
            my_roles[grant.organisation_id].append(grant)
    answering = {org.pk for org in organisations if can(request.user, Action.ADVISORY_ACKNOWLEDGE, org)}
    context = StepContext.for_organisations(organisations, request.user, answering)
    cards = [
        {
            "organisation": org,
            "my_roles": my_roles[org.pk],
            "steps": next_steps(org, present[org.pk], {grant.role for grant in my_roles[org.pk]}, context),
        }
        for org in organisations
    ]
    networks = request.user.coordinator_assignments.select_related("diginettverk")
    return render(request, "dashboards/home.html", {"cards": cards, "networks": networks})
