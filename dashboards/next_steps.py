"""What each of the user's organisations should do next, shown on the front page.

Each domain app contributes its steps here as it arrives (membership terms to sign, services to
re-sign, a connection to register); dashboards reads every app and nothing imports dashboards.
Everything is read in a fixed number of queries for all cards together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from advisories.services import unanswered_counts
from agreements.choices import AgreementState
from agreements.models import ServiceAgreement
from core.roles import OrganisationRoleType
from memberships.choices import MembershipState
from memberships.models import Membership, Signature, TermsVersion
from memberships.why import why_membership
from organisations.models import Organisation


@dataclass(frozen=True)
class NextStep:
    text: Any
    url: str
    urgent: bool = False
    # Why the step is needed, in plain words (an ENK or AS that must now be a member).
    why: str | None = None


@dataclass
class StepContext:
    """What the steps of several organisations need, read once."""

    current_versions: dict[str, TermsVersion | None]
    signed: set[tuple[int, int]]
    states: dict[int, str]
    must_resign: dict[int, int]
    unanswered: dict[int, int] = field(default_factory=dict)

    @classmethod
    def for_organisations(
        cls, organisations: list[Organisation], user: Any = None, answering: set[int] | None = None
    ) -> StepContext:
        """``answering``: the organisations for which ``user`` answers security advisories."""
        versions = list(TermsVersion.objects.published().order_by("-published_at", "-pk"))
        forms = {org.form for org in organisations}
        current = {form: next((v for v in versions if form in v.required_forms), None) for form in forms}
        ids = [org.pk for org in organisations]
        signed = set(
            Signature.objects.filter(
                organisation_id__in=ids, terms_version__in=[v for v in current.values() if v]
            ).values_list("organisation_id", "terms_version_id")
        )
        states = dict(Membership.objects.filter(organisation_id__in=ids).values_list("organisation_id", "state"))
        must_resign = dict(
            ServiceAgreement.objects.filter(organisation_id__in=ids, state=AgreementState.MUST_RESIGN)
            .values("organisation_id")
            .annotate(n=Count("pk"))
            .values_list("organisation_id", "n")
        )
        unanswered = unanswered_counts(user, answering) if user is not None and answering else {}
        return cls(current, signed, states, must_resign, unanswered)


def next_steps(
    organisation: Organisation, roles_present: set[str], my_roles: set[str], context: StepContext
) -> list[NextStep]:
    """The open tasks of one organisation, most important first. ``roles_present`` holds the role
    types someone holds in the organisation, ``my_roles`` those the current user holds."""
    url = reverse("organisations:organisation_detail", args=[organisation.pk])
    steps = []
    text: Any  # a lazy translation, then the formatted str
    version = context.current_versions.get(organisation.form)
    if version is not None and (organisation.pk, version.pk) not in context.signed:
        deadline = date_format(version.sign_by, "DATE_FORMAT")
        blocked = context.states.get(organisation.pk) == MembershipState.SUSPENDED
        if OrganisationRoleType.SIGNATORY in my_roles:
            if blocked:
                text = _("Blocked: sign the membership terms %(label)s to open access again")
            elif version.deadline_passed:
                text = _("The deadline passed on %(deadline)s: sign the membership terms %(label)s now")
            else:
                text = _("Sign the membership terms %(label)s by %(deadline)s")
            text = text % {"label": version.label, "deadline": deadline}
            steps.append(
                NextStep(
                    text,
                    reverse("memberships:sign", args=[organisation.pk]),
                    urgent=True,
                    why=why_membership(organisation),
                )
            )
        else:
            text = (
                _("The membership terms %(label)s are not signed yet (the deadline passed on %(deadline)s)")
                if version.deadline_passed
                else _("The membership terms %(label)s are not signed yet (deadline %(deadline)s)")
            ) % {"label": version.label, "deadline": deadline}
            steps.append(NextStep(text, url, urgent=True, why=why_membership(organisation)))
    resign = context.must_resign.get(organisation.pk, 0)
    if resign and OrganisationRoleType.SIGNATORY in my_roles:
        text = ngettext(
            "Re-sign %(count)s service with new terms", "Re-sign %(count)s services with new terms", resign
        ) % {"count": resign}
        steps.append(NextStep(text, reverse("agreements:guided_flow", args=[organisation.pk]), urgent=True))
    unanswered = context.unanswered.get(organisation.pk, 0)
    if unanswered:
        text = ngettext(
            "Answer %(count)s security advisory",
            "Answer %(count)s security advisories",
            unanswered,
        ) % {"count": unanswered}
        steps.append(NextStep(text, f"{url}#security-title", urgent=True))
    if OrganisationRoleType.SIGNATORY not in roles_present:
        steps.append(NextStep(_("Register who may sign for the organisation (contact NHN)"), url, urgent=True))
    if OrganisationRoleType.SECURITY_CONTACT not in roles_present:
        steps.append(NextStep(_("Add a security contact for alerts from HelseCERT and KommuneCERT"), url))
    if OrganisationRoleType.TECHNICAL_CONTACT not in roles_present:
        steps.append(NextStep(_("Add a technical contact for the Helsenett connection"), url))
    return steps
