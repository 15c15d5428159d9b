"""Every write to the connection registry: connections and their history, outages, assessments, the
cloud EPJ decision aid and requests to end a member's own connection.

Each service checks permission again, validates, and runs in one transaction; a connection change is
stored together with its ConnectionChange (who, when, before/after) or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connections import assessment as rules
from connections import selectors
from connections.choices import (
    CONTRACTUAL_FIELDS,
    MEMBER_FIELDS,
    TYPE_DIRECT,
    ChangeKind,
    ChangeRequestStatus,
    Concern,
    ConcernAnswer,
    ConnectionStatus,
    TerminationStatus,
)
from connections.defaults import standard_type
from connections.models import (
    Assessment,
    ChangeRequest,
    CloudDecision,
    Connection,
    ConnectionChange,
    ConnectionType,
    Outage,
    TerminationRequest,
)
from core.audit import audit_record
from core.mail import mail_queue
from core.permissions import Action, can, require
from core.roles import OrganisationRoleType

if TYPE_CHECKING:
    from accounts.models import User

DEFAULT_PLANNED_BANDWIDTH = 100


def _record_change(*, connection: Connection, actor: User, kind: str, before: dict[str, Any] | None) -> None:
    after = connection.snapshot()
    if before == after:
        return
    ConnectionChange.objects.create(
        connection=connection,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
        before=before,
        after=after,
    )


def _check_technical_contact(connection: Connection, shared_with: Iterable[Any]) -> None:
    """The technical contact must hold that role for the owner or one of the sharing members."""
    contact = connection.technical_contact
    if contact is None:
        return
    organisation_ids = {connection.organisation_id, *(org.pk for org in shared_with)}
    holds = contact.organisation_roles.active().filter(
        organisation_id__in=organisation_ids, role=OrganisationRoleType.TECHNICAL_CONTACT
    )
    if not holds.exists():
        raise ValidationError(
            {"technical_contact": _("This person is not a technical contact of the owner or a sharing member.")}
        )


def _validate(connection: Connection, shared_with: list[Any]) -> None:
    connection.full_clean(exclude=["source_reference"])
    if any(org.pk == connection.organisation_id for org in shared_with):
        raise ValidationError({"shared_with": _("The owner cannot also be listed as sharing its own line.")})
    _check_technical_contact(connection, shared_with)


def connection_save(
    *, actor: User, connection: Connection, shared_with: Iterable[Any] = (), kind: str = ""
) -> Connection:
    """Create or change a connection (staff). Validates the status and its dates, the sharing members and
    the technical contact; stores the connection and one history entry with the values before and after.

    Raises PermissionDenied for a user who may not manage connections, ValidationError for bad values."""
    require(actor, Action.CONNECTION_MANAGE)
    shared = list(shared_with)
    if connection.status == ConnectionStatus.PLANNED and connection.planned_on is None:
        connection.planned_on = timezone.localdate()
    _validate(connection, shared)
    with transaction.atomic():
        before = None
        if connection.pk:
            stored = Connection.objects.select_for_update().get(pk=connection.pk)
            before = stored.snapshot()
        is_new = connection.pk is None
        connection.save()
        connection.shared_with.set(shared)
        _record_change(
            connection=connection,
            actor=actor,
            kind=kind or (ChangeKind.CREATED if is_new else ChangeKind.UPDATED),
            before=before,
        )
    return connection


def plan_connection_for_order(*, organisation: Any, actor: User, order: Any = None) -> Connection:
    """Create a planned connection when a Helsenettforbindelse order is delivered or accepted.

    Called by the orders app; it has checked who may accept the order, so no permission is asked here.
    The site is the organisation's business address; type, bandwidth and redundancy are NHN's defaults
    until staff fill in the details. With an ``order``, calling again returns the connection it made."""
    reference = f"order:{order.pk}" if order is not None and getattr(order, "pk", None) else ""
    if reference:
        existing = Connection.objects.filter(source_reference=reference).first()
        if existing is not None:
            return existing
    municipality = getattr(organisation, "address_municipality", None)
    if municipality is None and organisation.form == "KOMM":
        municipality = getattr(organisation, "municipality", None)
    address = ", ".join(
        part
        for part in (organisation.business_address, f"{organisation.postal_code} {organisation.postal_place}".strip())
        if part
    )
    connection = Connection(
        organisation=organisation,
        site_address=address or organisation.name,
        site_municipality=municipality,
        connection_type=standard_type(TYPE_DIRECT),
        bandwidth_mbps=DEFAULT_PLANNED_BANDWIDTH,
        status=ConnectionStatus.PLANNED,
        planned_on=timezone.localdate(),
        notes=_("Planned from order %(order)s.") % {"order": order} if order is not None else "",
        source_reference=reference,
    )
    connection.full_clean(exclude=["source_reference"])
    with transaction.atomic():
        connection.save()
        _record_change(connection=connection, actor=actor, kind=ChangeKind.PLANNED_FROM_ORDER, before=None)
    return connection


def outage_save(*, actor: User, outage: Outage) -> Outage:
    """Record or correct an outage (staff). An open outage (no end) cannot start in the future."""
    require(actor, Action.CONNECTION_MANAGE)
    outage.full_clean()
    if outage.end is not None and outage.end <= outage.start:
        raise ValidationError({"end": _("The end must be after the start.")})
    if outage.end is None and outage.start > timezone.now():
        raise ValidationError({"end": _("An outage that has not started yet needs an end.")})
    if outage.pk is None and outage.created_by_id is None:
        outage.created_by = actor
    outage.save()
    return outage


# --- the member's own tools -----------------------------------------------------------------------


def assessment_save(*, actor: User, organisation: Any, answers: dict[str, Any]) -> Assessment:
    """Compute the recommendation for ``answers`` and save both for the organisation."""
    require(actor, Action.CONNECTION_ASSESS, organisation)
    recommendation = rules.recommend(rules.Answers.from_dict(answers))
    return Assessment.objects.create(
        organisation=organisation,
        created_by=actor,
        created_at=timezone.now(),
        answers=answers,
        recommended_type=standard_type(recommendation.type_code),
        recommended_bandwidth_mbps=recommendation.bandwidth_mbps,
        recommended_redundancy=recommendation.redundancy,
        reasons=recommendation.reasons,
    )


def decision_save(*, actor: User, organisation: Any, vendor: str, answers: dict[str, str]) -> CloudDecision:
    """Save the member's answers to the six concerns of the cloud EPJ decision aid."""
    require(actor, Action.CONNECTION_ASSESS, organisation)
    if set(answers) != set(Concern.values) or not set(answers.values()) <= set(ConcernAnswer.values):
        raise ValidationError(_("Answer each of the six concerns."))
    return CloudDecision.objects.create(
        organisation=organisation, created_by=actor, created_at=timezone.now(), vendor=vendor, answers=answers
    )


def termination_request_submit(
    *,
    actor: User,
    organisation: Any,
    connection: Connection,
    wanted_end: dt.date,
    reason: str,
    confirmed: bool,
    decision: CloudDecision | None = None,
) -> TerminationRequest:
    """A signatory asks NHN to end the member's own connection.

    Validates: the actor is a signatory of the organisation (else PermissionDenied), the connection is the
    organisation's own and not decommissioned, no request for it is open, the end date is not in the
    past, and the signatory confirmed having read what will stop working. Stores the request with the
    services listed at that moment and an audit event; NHN staff then handle it."""
    if not can(actor, Action.CONNECTION_TERMINATION_REQUEST, organisation):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if connection.organisation_id != organisation.pk or connection.status == ConnectionStatus.DECOMMISSIONED:
        errors["connection"] = _("Choose one of the organisation's own connections in use.")
    if wanted_end < timezone.localdate():
        errors["wanted_end"] = _("The end date cannot be in the past.")
    if not reason.strip():
        errors["reason"] = _("Tell NHN why you want to end the connection.")
    if not confirmed:
        errors["confirm"] = _("Confirm that you have read what will stop working.")
    if errors:
        raise ValidationError(errors)
    lost = [str(service.name) for service in selectors.services_lost(organisation)]
    with transaction.atomic():
        if TerminationRequest.objects.select_for_update().filter(connection=connection, status="submitted").exists():
            raise ValidationError({"connection": _("A request to end this connection is already waiting for NHN.")})
        request = TerminationRequest.objects.create(
            organisation=organisation,
            connection=connection,
            decision=decision,
            requested_by=actor,
            requested_at=timezone.now(),
            wanted_end=wanted_end,
            reason=reason.strip(),
            services_lost=lost,
        )
        audit_record(
            actor=actor,
            action="connection.termination_requested",
            obj=request,
            organisation_id=organisation.pk,
            after={"connection": connection.pk, "wanted_end": wanted_end, "services_lost": lost},
            reason=reason.strip(),
        )
        # The customer centre handles the request; the signatory gets the same text as a receipt.
        mail_queue(
            template="connections/email/termination",
            recipients=[settings.CUSTOMER_CENTRE_EMAIL, actor.email],
            context={"request": request, "base_url": settings.PORTAL_BASE_URL},
            key=f"connection-termination:{request.pk}",
        )
    return request


# --- the owner's corrections and requests, and the staff who handle them -------------------------


def connection_member_correct(*, actor: User, connection: Connection, values: dict[str, Any]) -> Connection:
    """The owner's administrator or technical contact corrects the site and the technical contact of its
    own connection. Only MEMBER_FIELDS are taken; the change is in the connection's history.

    Raises PermissionDenied for anyone else (a sharing member too), ValidationError for bad values."""
    require(actor, Action.CONNECTION_MEMBER_EDIT, connection)
    unknown = set(values) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"not the member's to correct: {sorted(unknown)}")
    with transaction.atomic():
        stored = Connection.objects.select_for_update().get(pk=connection.pk)
        before = stored.snapshot()
        for name, value in values.items():
            setattr(stored, name, value)
        _validate(stored, list(stored.shared_with.all()))
        stored.save()
        _record_change(connection=stored, actor=actor, kind=ChangeKind.MEMBER_CORRECTED, before=before)
    return stored


def _contract_values(connection: Connection) -> dict[str, Any]:
    """The contractual values as the history stores them (the type by its code, the target as text)."""
    return {
        "connection_type": connection.connection_type.code,
        "provider": connection.provider,
        "bandwidth_mbps": connection.bandwidth_mbps,
        "redundancy": connection.redundancy,
        "uptime_target": str(Decimal(connection.uptime_target).quantize(Decimal("0.001"))),
    }


def change_request_submit(
    *, actor: User, connection: Connection, wanted: dict[str, Any], message: str
) -> ChangeRequest:
    """The owner's administrator or technical contact asks NHN to change what the agreement fixes.

    ``wanted`` holds CONTRACTUAL_FIELDS with the values asked for; only those that differ are kept (none:
    ValidationError). One open request per connection. The customer centre is told, the asker gets a
    receipt."""
    require(actor, Action.CONNECTION_MEMBER_EDIT, connection)
    if connection.status == ConnectionStatus.DECOMMISSIONED:
        raise ValidationError(_("A decommissioned connection cannot be changed."))
    probe = Connection(**{f.attname: getattr(connection, f.attname) for f in Connection._meta.concrete_fields})
    for name in CONTRACTUAL_FIELDS:
        if name in wanted:
            setattr(probe, name, wanted[name])
    # The same row with the wanted values: its own validators and checks, not uniqueness against itself.
    probe.full_clean(
        exclude=["source_reference", "organisation", "technical_contact", "site_municipality"], validate_unique=False
    )
    before = _contract_values(connection)
    after = _contract_values(probe)
    changes = {name: value for name, value in after.items() if value != before[name]}
    if not changes:
        raise ValidationError(_("Change at least one value: these are the values the connection has now."))
    with transaction.atomic():
        if ChangeRequest.objects.select_for_update().filter(connection=connection, status="submitted").exists():
            raise ValidationError(_("A request to change this connection is already waiting for NHN."))
        request = ChangeRequest.objects.create(
            organisation_id=connection.organisation_id,
            connection=connection,
            requested_by=actor,
            requested_at=timezone.now(),
            before={name: before[name] for name in changes},
            wanted=changes,
            message=message.strip(),
        )
        mail_queue(
            template="connections/email/change_request",
            recipients=[settings.CUSTOMER_CENTRE_EMAIL, actor.email],
            context={"request": request, "base_url": settings.PORTAL_BASE_URL},
            key=f"connection-change-request:{request.pk}",
        )
    return request


def change_request_decide(*, actor: User, request: ChangeRequest, accept: bool, answer: str) -> ChangeRequest:
    """Staff accept a change request (the connection takes the wanted values, recorded in its history
    with the staff member as actor) or reject it with a reason. The person who asked is told."""
    require(actor, Action.CONNECTION_REQUESTS_HANDLE)
    answer = answer.strip()
    if not accept and not answer:
        raise ValidationError({"answer": _("Tell the member why the request is rejected.")})
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().select_related("requested_by").get(pk=request.pk)
        if request.status != ChangeRequestStatus.SUBMITTED:
            raise ValidationError(_("This request has already been handled."))
        if accept:
            connection = Connection.objects.select_for_update().get(pk=request.connection_id)
            before = connection.snapshot()
            for name, value in request.wanted.items():
                if name == "connection_type":
                    connection.connection_type = ConnectionType.objects.get(code=value)
                else:
                    setattr(connection, name, value)
            _validate(connection, list(connection.shared_with.all()))
            connection.save()
            _record_change(connection=connection, actor=actor, kind=ChangeKind.REQUEST_ACCEPTED, before=before)
        _answer(
            request,
            actor=actor,
            status=ChangeRequestStatus.ACCEPTED if accept else ChangeRequestStatus.REJECTED,
            answer=answer,
        )
        audit_record(
            actor=actor,
            action=f"connection.change_request_{request.status}",
            obj=request,
            organisation_id=request.organisation_id,
            before=request.before,
            after=request.wanted,
            reason=answer,
        )
        _tell_decision(request, kind="change", key=f"connection-change-request-decided:{request.pk}")
    return request


def termination_decide(*, actor: User, request: TerminationRequest, accept: bool, answer: str) -> TerminationRequest:
    """Staff accept a request to end a connection (NHN will end it by the wanted date; the registry
    records the decommissioning when it happens) or reject it with a reason. Both are audit events:
    ending a member's access has legal weight. The person who asked is told."""
    require(actor, Action.CONNECTION_REQUESTS_HANDLE)
    answer = answer.strip()
    if not accept and not answer:
        raise ValidationError({"answer": _("Tell the member why the request is rejected.")})
    with transaction.atomic():
        request = TerminationRequest.objects.select_for_update().select_related("requested_by").get(pk=request.pk)
        if request.status != TerminationStatus.SUBMITTED:
            raise ValidationError(_("This request has already been handled."))
        before = request.status
        _answer(
            request,
            actor=actor,
            status=TerminationStatus.ACCEPTED if accept else TerminationStatus.REJECTED,
            answer=answer,
        )
        audit_record(
            actor=actor,
            action=f"connection.termination_{request.status}",
            obj=request,
            organisation_id=request.organisation_id,
            before={"status": before},
            after={"status": request.status, "connection": request.connection_id, "wanted_end": request.wanted_end},
            reason=answer,
        )
        _tell_decision(request, kind="termination", key=f"connection-termination-decided:{request.pk}")
    return request


def _answer(request: ChangeRequest | TerminationRequest, *, actor: User, status: str, answer: str) -> None:
    """Record staff's decision on a member's request: the status, who, when and the answer given."""
    request.status = status
    request.handled_by = actor
    request.handled_at = timezone.now()
    request.answer = answer
    request.save(update_fields=["status", "handled_by", "handled_at", "answer"])


def _tell_decision(request: ChangeRequest | TerminationRequest, *, kind: str, key: str) -> None:
    """The person who asked hears the decision (through the outbox, in the caller's transaction)."""
    mail_queue(
        template="connections/email/request_decided",
        recipients=[request.requested_by.email],
        context={"request": request, "kind": kind, "base_url": settings.PORTAL_BASE_URL},
        key=key,
    )


def connections_move_on_merger(*, old: Any, new: Any, actor: User, **_signal: Any) -> int:
    """After a merger or change of owner: the old organisation's live connections belong to the new one
    (and lines it shared are shared by the new one). A technical contact without a role in the new
    organisation is cleared. Runs inside the merger's transaction; returns how many lines moved."""
    moved = 0
    for connection in (
        Connection.objects.select_for_update().filter(organisation=old).exclude(status=ConnectionStatus.DECOMMISSIONED)
    ):
        before = connection.snapshot()
        connection.organisation = new
        if connection.technical_contact_id and not new.roles.filter(user_id=connection.technical_contact_id).exists():
            connection.technical_contact = None
        connection.save()
        connection.shared_with.remove(new)
        _record_change(connection=connection, actor=actor, kind=ChangeKind.MOVED_ON_MERGER, before=before)
        moved += 1
    for connection in Connection.objects.filter(shared_with=old).exclude(organisation=new):
        before = connection.snapshot()
        connection.shared_with.remove(old)
        connection.shared_with.add(new)
        _record_change(connection=connection, actor=actor, kind=ChangeKind.MOVED_ON_MERGER, before=before)
    return moved
