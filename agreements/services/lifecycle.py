"""Starting and ending members' service agreements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import graph
from agreements.choices import AgreementState
from agreements.models import Service, ServiceAgreement, ServiceTermsVersion
from core.audit import audit_record
from core.events import EventType, emit
from memberships.services import signing_authority
from organisations.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User


def agreement_start(
    *, actor: User, organisation: Organisation, service: Service, terms_version: ServiceTermsVersion, signing: Any
) -> ServiceAgreement:
    """The organisation is authorised for the service (a delivered order). Idempotent per service."""
    agreement = (
        ServiceAgreement.objects.select_for_update().live().filter(organisation=organisation, service=service).first()
    )
    today = timezone.localdate()
    if agreement is None:
        agreement = ServiceAgreement.objects.create(
            organisation=organisation,
            service=service,
            terms_version=terms_version,
            signing=signing,
            started_on=today,
        )
    else:
        agreement.terms_version = terms_version
        agreement.signing = signing
        agreement.state = AgreementState.ACTIVE
        agreement.save(update_fields=["terms_version", "signing", "state", "updated_at"])
    audit_record(
        actor=actor,
        action="service_agreement.started",
        obj=agreement,
        organisation_id=organisation.pk,
        after={"service": service.slug, "terms_version": terms_version.label},
    )
    _agreement_changed(agreement, organisation=organisation, service=service, terms_label=terms_version.label)
    return agreement


def _agreement_changed(agreement: ServiceAgreement, *, organisation: Any, service: Service, terms_label: str) -> None:
    emit(
        EventType.AGREEMENT_CHANGED,
        organisation_id=organisation.pk,
        data={
            "orgnr": organisation.org_number,
            "service": service.slug,
            "state": agreement.state,
            "terms_version": terms_label,
        },
    )


def termination_impact(agreement: ServiceAgreement) -> list[ServiceAgreement]:
    """The organisation's other live agreements that need this one, directly or through others."""
    needing = graph.dependents(graph.prerequisite_map(), agreement.service_id)
    return list(
        ServiceAgreement.objects.live()
        .filter(organisation_id=agreement.organisation_id, service_id__in=needing)
        .select_related("service")
    )


def agreement_terminate(
    *, actor: User, agreement: ServiceAgreement, reason: str, include_dependents: bool = False
) -> list[ServiceAgreement]:
    """End an agreement (a signatory's decision). Agreements that need it end with it, but only when
    the signatory has seen and accepted that (``include_dependents``). Returns every ended agreement."""
    authority = signing_authority(actor, agreement.organisation)
    if authority is None or authority.delegated:  # a delegation grants signing, never ending
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for ending the agreement.")})
    with transaction.atomic():
        agreement = ServiceAgreement.objects.select_for_update().select_related("service").get(pk=agreement.pk)
        if agreement.state == AgreementState.TERMINATED:
            raise ValidationError(_("The agreement has already ended."))
        dependents = termination_impact(agreement)
        if dependents and not include_dependents:
            raise ValidationError(
                {
                    "include_dependents": _("These services need %(service)s and end with it: %(names)s.")
                    % {"service": agreement.service.name, "names": ", ".join(a.service.name for a in dependents)}
                }
            )
        ended = [agreement, *dependents]
        _terminate(actor=actor, agreements=ended, reason=reason)
    return ended


def _terminate(*, actor: User, agreements: list[ServiceAgreement], reason: str) -> None:
    now = timezone.now()
    for agreement in agreements:
        before = agreement.state
        agreement.state = AgreementState.TERMINATED
        agreement.terminated_at = now
        agreement.termination_reason = reason[:300]
        agreement.save(update_fields=["state", "terminated_at", "termination_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="service_agreement.terminated",
            obj=agreement,
            organisation_id=agreement.organisation_id,
            before={"state": before},
            after={"state": AgreementState.TERMINATED, "service": agreement.service.slug},
            reason=reason,
            at=now,
        )
        _agreement_changed(
            agreement,
            organisation=agreement.organisation,
            service=agreement.service,
            terms_label=agreement.terms_version.label,
        )
