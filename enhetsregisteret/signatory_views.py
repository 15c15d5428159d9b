"""The member's side of "signatories need no invitation" (enhetsregisteret.signatories): a person
identified by ID-porten names an organisation they sign for, and the register is asked at once."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.ratelimit import hit, too_many_requests
from enhetsregisteret import signatories
from enhetsregisteret.authority import RegisterUnavailable
from enhetsregisteret.forms import ClaimForm


@login_required
def claim(request: HttpRequest) -> HttpResponse:
    identified = signatories.identified(request.user)
    form = ClaimForm(request.POST if request.method == "POST" and identified else None)
    refusal = ""
    if request.method == "POST" and identified:
        # Every attempt may ask Enhetsregisteret: a person gets a few per hour, not a lookup service.
        verdict = hit("register_claim", str(request.user.pk), settings.RATELIMIT_REGISTER_CLAIM)
        if not verdict.allowed:
            return too_many_requests(request, verdict.retry_after)
        if form.is_valid():
            organisation = form.cleaned_data["org_number"]
            try:
                answer = signatories.claim(request.user, organisation)
            except RegisterUnavailable:
                refusal = _("Enhetsregisteret could not be reached just now. Try again in a few minutes.")
            else:
                if answer.role is not None:
                    if answer.already:
                        messages.info(request, _("You already sign for %(org)s.") % {"org": organisation})
                    else:
                        messages.success(
                            request,
                            _("You may sign for %(org)s: %(basis)s. The organisation is now on your front page.")
                            % {"basis": answer.role.get_signatory_basis_display(), "org": organisation},
                        )
                    return redirect("dashboards:home")
                refusal = answer.refusal
    return render(request, "enhetsregisteret/claim.html", {"form": form, "identified": identified, "refusal": refusal})
