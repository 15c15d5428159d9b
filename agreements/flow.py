"""The guided flow of the deck: 1 sign the membership terms, 2 re-sign the services in use, 3 order new
services, then review and sign once. Choices are stored as they are made (ServiceFlow), so a signatory
who leaves half-way comes back to the same step with the same choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from agreements import graph, hooks, pricing
from agreements.choices import AgreementState, FlowStep
from agreements.models import Service, ServiceAgreement, ServiceFlow
from agreements.services import Selection, current_terms
from memberships.choices import MembershipState
from memberships.models import Membership, Signature, TermsVersion

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class FlowState:
    organisation: Any
    flow: ServiceFlow
    membership_version: TermsVersion | None
    membership_signed: bool
    agreements: list[ServiceAgreement]
    pending_service_ids: set[int]
    orderable: list[Service]
    prerequisites: dict[int, frozenset[int]]
    names: dict[int, str]

    @property
    def membership_done(self) -> bool:
        return self.membership_signed

    @property
    def first_open_step(self) -> int:
        return FlowStep.RESIGN if self.membership_done else FlowStep.MEMBERSHIP

    def allowed_step(self, wanted: int | None) -> int:
        """The step to show: the stored one, or an earlier one asked for, never one not reached yet."""
        reached = max(self.flow.step, self.first_open_step) if self.membership_done else FlowStep.MEMBERSHIP
        if wanted is None:
            return reached
        return max(min(wanted, reached), FlowStep.MEMBERSHIP)

    def outdated(self, agreement: ServiceAgreement) -> bool:
        return agreement.state == AgreementState.MUST_RESIGN

    def dependents_of(self, agreement: ServiceAgreement) -> list[str]:
        """Names of the organisation's other services that need this one (the consequence of dropping it)."""
        needing = graph.dependents(self.prerequisites, agreement.service_id)
        return sorted(a.service.name for a in self.agreements if a.service_id in needing)

    def missing_for(self, service: Service) -> list[str]:
        held = {a.service_id for a in self.agreements} | self.pending_service_ids
        return sorted(self.names[pk] for pk in graph.closure(self.prerequisites, [service.pk]) - held)

    def selection(self) -> Selection:
        """The stored choices, limited to what still exists (an agreement may have ended meanwhile)."""
        by_id = {a.pk: a for a in self.agreements}
        orderable = {s.pk: s for s in self.orderable}
        return Selection(
            keep=[by_id[pk] for pk in self.flow.keep if pk in by_id and self.outdated(by_id[pk])],
            drop=[by_id[pk] for pk in self.flow.drop if pk in by_id],
            order=[orderable[pk] for pk in self.flow.order if pk in orderable],
        )

    def estimate(self, service: Service) -> pricing.Estimate:
        return pricing.for_organisation(service, self.organisation)


def load(organisation: Any) -> FlowState:
    flow, _created = ServiceFlow.objects.get_or_create(organisation=organisation)
    version = TermsVersion.objects.current_for(organisation.form)
    state = Membership.objects.filter(organisation=organisation).values_list("state", flat=True).first()
    signed = state == MembershipState.ACTIVE and (
        version is None or Signature.objects.filter(organisation=organisation, terms_version=version).exists()
    )
    agreements = list(
        ServiceAgreement.objects.live().filter(organisation=organisation).select_related("service", "terms_version")
    )
    pending = hooks.pending_service_ids(organisation)
    held = {a.service_id for a in agreements} | pending
    orderable = [
        s
        for s in Service.objects.orderable().order_by("sort_order", "name")
        if s.pk not in held and s.may_be_ordered_by(organisation.form)
    ]
    return FlowState(
        organisation=organisation,
        flow=flow,
        membership_version=version,
        membership_signed=signed,
        agreements=agreements,
        pending_service_ids=pending,
        orderable=orderable,
        prerequisites=graph.prerequisite_map(),
        names=dict(Service.objects.values_list("pk", "name")),
    )


def dropping(state: FlowState, keep: list[int]) -> list[ServiceAgreement]:
    return [a for a in state.agreements if a.pk not in set(keep)]


def what_stops(state: FlowState, agreement: ServiceAgreement) -> list[str]:
    """What stops working when the agreement ends, in plain words (the warning before ending it)."""
    lines: list[str] = []
    if agreement.service.is_connection:
        lines.append(
            _(
                "The organisation's Helsenett connection ends: no messages are sent or received over Helsenettet "
                "(prescriptions, referrals, discharge letters, lab results), and every service that runs over "
                "Helsenettet stops working."
            )
        )
    else:
        lines.append(_("%(service)s stops working for the organisation.") % {"service": agreement.service.name})
    dependents = state.dependents_of(agreement)
    if dependents:
        lines.append(_("These need it and stop too: %(names)s.") % {"names": ", ".join(dependents)})
    return lines


def save_resign(state: FlowState, *, keep: list[int], actor: User, drop_confirmed: bool) -> None:
    """Step 2: the agreements to keep (re-signing those on old terms); every other one is to end, which
    the signatory confirmed on this step (``drop_confirmed``), never implied by an empty form."""
    ids = [a.pk for a in state.agreements]
    state.flow.keep = [pk for pk in ids if pk in set(keep)]
    state.flow.drop = [pk for pk in ids if pk not in set(keep)]
    if state.flow.drop and not drop_confirmed:
        raise ValueError("ending agreements needs the signatory's confirmation")
    state.flow.drop_confirmed = bool(state.flow.drop)
    state.flow.step = max(state.flow.step, FlowStep.ORDER)
    state.flow.updated_by = actor
    state.flow.save()


def save_order(state: FlowState, *, wanted: list[int], actor: User) -> list[str]:
    """Step 3: the services to order, with the prerequisites they need added (orderable ones only).
    Returns a sentence for each prerequisite added, to show the signatory what was added and why."""
    orderable = {s.pk: s for s in state.orderable}
    chosen = [pk for pk in wanted if pk in orderable]
    kept = {a.service_id for a in state.agreements if a.pk not in set(state.flow.drop)} | state.pending_service_ids
    added: list[str] = []
    for pk in list(chosen):
        for needed in sorted(graph.closure(state.prerequisites, [pk]) - kept - set(chosen)):
            if needed in orderable:
                chosen.append(needed)
                added.append(
                    _("%(prerequisite)s was added, because %(service)s needs it.")
                    % {"prerequisite": state.names[needed], "service": state.names[pk]}
                )
    state.flow.order = chosen
    state.flow.step = max(state.flow.step, FlowStep.CONFIRM)
    state.flow.updated_by = actor
    state.flow.save()
    return added


def finish(state: FlowState) -> None:
    """Signed: the stored choices are spent; the next visit starts afresh."""
    with transaction.atomic():
        ServiceFlow.objects.filter(pk=state.flow.pk).delete()


def terms_for(selection: Selection) -> dict[int, Any]:
    return current_terms([*(a.service for a in selection.keep), *selection.order])
