"""Signing services (the guided flow's last step): the selection, the authority and step-up, one sealed PDF."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.step_up import StepUp
from accounts.step_up import verify as verify_step_up
from agreements import documents, graph, hooks
from agreements.choices import AgreementState
from agreements.models import Service, ServiceAgreement, ServiceSigning, ServiceTermsVersion
from agreements.services.common import NothingToSign, SelectionChanged, current_terms, describe_changes, selection_items
from agreements.services.lifecycle import _terminate
from core.audit import audit_record
from core.mail import mail_queue
from memberships.choices import MembershipState
from memberships.models import Membership
from memberships.services import AuthorityRefused, authority_decision, recipients_for
from organisations.choices import RegisterStatus
from organisations.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class Selection:
    """What a signatory chose: agreements to re-sign and to end, and services to order."""

    keep: list[ServiceAgreement] = field(default_factory=list)
    drop: list[ServiceAgreement] = field(default_factory=list)
    order: list[Service] = field(default_factory=list)


def selection_problems(organisation: Organisation, selection: Selection) -> list[str]:
    """Why this selection cannot be signed, in plain words (empty when it can)."""
    problems: list[str] = []
    prerequisites = graph.prerequisite_map()
    names = dict(Service.objects.values_list("pk", "name"))
    live = {a.service_id for a in ServiceAgreement.objects.live().filter(organisation=organisation)}
    dropped = {a.service_id for a in selection.drop}
    ordered = {s.pk for s in selection.order}
    kept = {a.service_id for a in selection.keep}
    pending = hooks.pending_service_ids(organisation)
    held = (live - dropped) | pending
    for service in selection.order:
        if not service.is_orderable:
            problems.append(_("%(service)s cannot be ordered yet.") % {"service": service.name})
        elif not service.may_be_ordered_by(organisation.form):
            problems.append(_("%(service)s is not for organisations of this kind.") % {"service": service.name})
        if service.pk in live or service.pk in pending:
            problems.append(_("You already have %(service)s or have ordered it.") % {"service": service.name})
    for missing_id in sorted(graph.missing(prerequisites, ordered, held), key=lambda pk: names.get(pk, "")):
        needing = sorted(names[s] for s in ordered if missing_id in graph.closure(prerequisites, [s]))
        problems.append(
            _("%(services)s needs %(prerequisite)s. Order it too, or keep your agreement for it.")
            % {"services": ", ".join(needing), "prerequisite": names.get(missing_id, "?")}
        )
    for agreement in selection.drop:
        dependents = graph.dependents(prerequisites, agreement.service_id) & (kept | ordered | (live - dropped))
        if dependents:
            problems.append(
                _("%(services)s needs %(service)s: keep %(service)s, or drop those too.")
                % {"services": ", ".join(sorted(names[pk] for pk in dependents)), "service": agreement.service.name}
            )
    return problems


def sign_services(
    *,
    actor: User,
    organisation: Organisation,
    selection: Selection,
    password: str = "",
    confirmed: bool,
    shown: list[dict[str, Any]],
    drop_confirmed: bool = False,
    ip_address: str | None = None,
    user_agent: str = "",
    person_id: str | None = None,
    flow_token: Any = None,
    step_up: StepUp | None = None,
) -> ServiceSigning | None:
    """Re-sign the kept agreements, end the dropped ones and order the new services, in one go.

    The step-up is ``step_up`` (accounts.step_up: a fresh ID-porten login at the signing level for a
    session from ID-porten, StepUpNeeded when it is missing or old) or else ``password``.

    ``shown`` is the list the review step showed (``selection_items``): the selection is signed only if
    it is still exactly that (else SelectionChanged, nothing stored). Ending agreements needs
    ``drop_confirmed`` (the signatory confirmed it on its own, warned step); a delegate may not end any.
    One sealed PDF covers every service signed; an order is submitted for each new service. Returns the
    signing, or None when the selection only ended agreements (nothing to sign).
    """
    current_items = selection_items(organisation, selection)
    if shown != current_items:
        raise SelectionChanged(describe_changes(shown, current_items))
    with translation.override("nb"):  # the authority is written into the PDF, which is always Norwegian
        decision = authority_decision(actor, organisation, person_id=person_id)
    authority = decision.authority
    if authority is None:
        raise AuthorityRefused(decision)
    if authority.delegated:
        if "services" not in (authority.grant.delegated_agreements if authority.grant else []):
            raise PermissionDenied
        if selection.drop:
            raise ValidationError(_("A delegate can sign, but not end agreements. Keep them, or ask a signatory."))
    if selection.drop and not drop_confirmed:
        raise ValidationError(
            _("Ending an agreement needs its own confirmation. Go back to step 2 and confirm what you end.")
        )
    # A password step-up goes through the login's backends and limits (accounts.throttle); an ID-porten
    # one must be a fresh login at the signing level (accounts.step_up).
    step_up = step_up or StepUp.with_password(password)
    verify_step_up(step_up, user=actor, ip_address=ip_address, user_agent=user_agent)
    if not confirmed:
        raise ValidationError(
            {"confirm": _("Confirm that you have read the terms and sign on behalf of the organisation.")}
        )
    if not (selection.keep or selection.drop or selection.order):
        raise NothingToSign(_("Choose at least one service to re-sign, end or order."))
    if organisation.register_status != RegisterStatus.ACTIVE:
        raise ValidationError(_("The organisation is not active in Enhetsregisteret and cannot enter new agreements."))
    signed = [*(a.service for a in selection.keep), *selection.order]
    if any(s.requires_membership for s in signed):
        state = Membership.objects.filter(organisation=organisation).values_list("state", flat=True).first()
        if state != MembershipState.ACTIVE:
            raise ValidationError(_("Sign the membership terms first (step 1)."))
    problems = selection_problems(organisation, selection)
    if problems:
        raise ValidationError(problems)
    terms = current_terms(signed)
    without_terms = [s.name for s in signed if s.pk not in terms]
    if without_terms:
        raise ValidationError(
            _("These services have no published terms yet: %(names)s.") % {"names": ", ".join(without_terms)}
        )
    return record_service_signing(
        actor=actor,
        organisation=organisation,
        selection=selection,
        authority=authority,
        terms=terms,
        ip_address=ip_address,
        user_agent=user_agent,
        flow_token=flow_token,
        step_up=step_up.evidence,
    )


def record_service_signing(
    *,
    actor: User,
    organisation: Organisation,
    selection: Selection,
    authority: Any,
    terms: dict[int, ServiceTermsVersion],
    ip_address: str | None = None,
    user_agent: str = "",
    at: Any = None,
    notify: bool = True,
    flow_token: Any = None,
    step_up: dict[str, Any] | None = None,
) -> ServiceSigning | None:
    """Store a validated selection: agreements ended, the sealed PDF, agreements re-signed, orders
    submitted, the audit event and the receipt, all in one transaction (see sign_services)."""
    signed = [*(a.service for a in selection.keep), *selection.order]
    now = at or timezone.now()
    with transaction.atomic():
        # One signing at a time per organisation: the membership row is the organisation's lock.
        Membership.objects.select_for_update().filter(organisation=organisation).first()
        live_ids = set(
            ServiceAgreement.objects.select_for_update()
            .live()
            .filter(organisation=organisation)
            .values_list("pk", flat=True)
        )
        if any(a.pk not in live_ids for a in [*selection.keep, *selection.drop]):
            raise ValidationError(_("Your agreements changed while you were choosing. Look at the list again."))
        if selection.drop:
            _terminate(actor=actor, agreements=selection.drop, reason=_("Not re-signed in the guided flow"))
        if not signed:
            return None
        items = [_item(a.service, terms[a.service_id], "resign", organisation.form) for a in selection.keep]
        items += [_item(s, terms[s.pk], "order", organisation.form) for s in selection.order]
        unsigned = documents.signing_pdf(
            organisation=organisation,
            items=items,
            terms=terms,
            signer_name=actor.get_full_name(),
            basis_text=authority.text,
            signed_at=now,
        )
        sealed = documents.seal(unsigned, reason=f"Tjenesteavtaler: {organisation.name}")
        signing = ServiceSigning.objects.create(
            organisation=organisation,
            signer=actor,
            signer_name=actor.get_full_name(),
            basis=authority.basis,
            basis_text=authority.text,
            basis_role_code=getattr(authority, "role_code", ""),
            basis_read_at=getattr(authority, "register_read_at", None),
            basis_entry=getattr(authority, "matched_entry", {}),
            signed_at=now,
            items=items,
            document_sha256=hashlib.sha256(unsigned).hexdigest(),
            signed_pdf=sealed,
            signed_pdf_sha256=hashlib.sha256(sealed).hexdigest(),
            ip_address=ip_address,
            user_agent=user_agent[:500],
            flow_token=flow_token,
            step_up=step_up or {},
        )
        for agreement in selection.keep:
            agreement.terms_version = terms[agreement.service_id]
            agreement.signing = signing
            agreement.state = AgreementState.ACTIVE
            agreement.save(update_fields=["terms_version", "signing", "state", "updated_at"])
        audit_record(
            actor=actor,
            action="services.signed",
            obj=signing,
            organisation_id=organisation.pk,
            after={
                "items": items,
                "document_sha256": signing.document_sha256,
                "signed_pdf_sha256": signing.signed_pdf_sha256,
                "basis": authority.basis,
                **getattr(authority, "evidence", {}),
                "step_up": step_up or {},
                "ip_address": ip_address,
            },
            at=now,
        )
        for service in selection.order:
            hooks.order_book().submit(
                organisation=organisation,
                service=service,
                terms_version=terms[service.pk],
                signing=signing,
                actor=actor,
                at=now,
            )
        if not notify:
            return signing
        mail_queue(
            template="agreements/email/receipt",
            recipients={actor.email, *recipients_for(organisation)},
            context={"signing": signing, "organisation": organisation, "base_url": settings.PORTAL_BASE_URL},
            key=f"service-receipt:{signing.pk}",
            attachment=(documents.filename(signing), sealed),
        )
    return signing


def _item(service: Service, version: ServiceTermsVersion, action: str, form: str) -> dict[str, str]:
    return {
        "service": service.name,
        "slug": service.slug,
        "action": action,
        "terms": version.label,
        "terms_sha256": version.text_sha256,
        "text_sha256": hashlib.sha256(version.text_for(form).encode()).hexdigest(),
    }
