from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.forms import CheckboxInput
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import step_up
from accounts.sessions import rotate
from core.access import DataKind, record_view
from core.client_ip import client_ip
from core.forms import add_service_errors
from core.models import AuditEvent
from core.permissions import (
    Action,
    DelegationExpired,
    can,
    expired_delegation,
    get_for_signing_or_404,
    get_visible_or_404,
    require,
)
from core.ratelimit import rate_limited
from core.roles import SignatoryBasis
from memberships import documents, rounds, services
from memberships.forms import DelegateForm, PublishForm, TerminateForm, TermsForm, TermsSignForm, VerifyForm
from memberships.models import Signature, TermsVersion
from organisations.models import Organisation, OrganisationRole
from organisations.querysets import scoped_to_visible_organisations


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _terms_for(request: HttpRequest, pk: int) -> TermsVersion:
    """A published version for any signed-in user; a draft only for those who manage terms (else 404)."""
    version = get_object_or_404(TermsVersion, pk=pk)
    if not version.is_published and not can(request.user, Action.TERMS_MANAGE):
        raise Http404
    return version


# --- terms (membership managers) ---------------------------------------------------------------


@login_required
def terms_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.TERMS_MANAGE)
    versions = TermsVersion.objects.annotate(signed=Count("signatures"))  # drafts first, then newest (Meta)
    return render(request, "memberships/terms_list.html", {"versions": versions})


@login_required
def terms_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Action.TERMS_MANAGE)
    version = get_object_or_404(TermsVersion, pk=pk) if pk else None
    if version is not None and version.is_published:
        messages.error(request, _("A published version cannot be changed. Make a new version instead."))
        return redirect(version)
    form = TermsForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.terms_save_draft(actor=request.user, version=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The draft is saved. Preview it, then publish when it is ready."))
            return redirect(version)
    status = 400 if request.method == "POST" else 200
    return render(request, "memberships/terms_form.html", {"form": form, "version": version}, status=status)


def _terms_detail(
    request: HttpRequest,
    version: TermsVersion,
    publish_form: PublishForm | None = None,
    *,
    changed: str = "",
    status: int = 200,
) -> HttpResponse:
    may_manage = can(request.user, Action.TERMS_MANAGE)
    context: dict[str, Any] = {"version": version, "may_manage": may_manage, "changed": changed}
    if may_manage and not version.is_published:
        planned, unreachable = rounds.invitation_preview(version)
        context["preview"] = (planned, unreachable)
        context["publish_form"] = publish_form or PublishForm(initial={"expected": planned})
        context["expected"] = planned
    elif may_manage and version.invitations_planned is not None:
        context["progress"] = rounds.invitation_progress(version)
    return render(request, "memberships/terms_detail.html", context, status=status)


@login_required
def terms_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _terms_detail(request, _terms_for(request, pk))


@login_required
@require_POST
def terms_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publishing is never one click: the form confirms it, against the number of organisations shown."""
    require(request.user, Action.TERMS_MANAGE)
    version = get_object_or_404(TermsVersion, pk=pk)
    if version.is_published:
        messages.error(request, _("This version is already published."))
        return redirect(version)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _terms_detail(request, version, form, status=400)
    planned, unreachable = rounds.invitation_preview(version)
    if form.cleaned_data["expected"] != planned:
        changed = _(
            "Since you opened the page, the number of organisations to invite has changed from %(before)s "
            "to %(now)s. Check the new number and confirm again."
        ) % {"before": form.cleaned_data["expected"], "now": planned}
        return _terms_detail(request, version, changed=changed, status=409)
    try:
        services.terms_publish(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Published. The invitation to sign is on its way to %(count)s organisation: follow it below.",
                "Published. Invitations to sign are on their way to %(count)s organisations: follow them below.",
                planned - unreachable,
            )
            % {"count": planned - unreachable},
        )
    return redirect(version)


@login_required
def terms_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The invitations' progress, for the terms page to poll (htmx) while they go out."""
    require(request.user, Action.TERMS_MANAGE)
    version = get_object_or_404(TermsVersion.objects.without_texts().published(), pk=pk)
    progress = rounds.invitation_progress(version)
    # 286 tells htmx to stop polling: nothing more will change.
    return render(
        request,
        "memberships/partials/_invitation_progress.html",
        {"version": version, "progress": progress},
        status=286 if progress.finished else 200,
    )


@login_required
def terms_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    version = _terms_for(request, pk)
    return _pdf_response(documents.terms_pdf(version), f"medlemsvilkar-{version.label}.pdf")


# --- signing -----------------------------------------------------------------------------------


def delegation_expired(request: HttpRequest, exc: DelegationExpired) -> HttpResponse:
    """A former delegate is told, in the portal's layout, when the delegation ended and who gave it."""
    return render(request, "memberships/delegation_expired.html", {"grant": exc.grant}, status=403)


def authority_refused(request: HttpRequest, organisation: Organisation, decision: Any) -> HttpResponse:
    """Why this person may not sign, and what to do: in the layout, never a bare 403."""
    return render(
        request, "memberships/authority_refused.html", {"organisation": organisation, "decision": decision}, status=403
    )


def refused_or_raise(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone who sees the organisation but may not sign for it: the reason and the way forward, in the
    layout (a delegation, or the customer centre), not the generic 403. Others get 404 as before."""
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.ORGANISATION_VIEW, pk=pk)
    expired = expired_delegation(request.user, organisation)
    if expired is not None:  # someone of the organisation whose delegation to sign has ended
        return delegation_expired(request, DelegationExpired(expired))
    decision = services.authority_decision(request.user, organisation)  # in the reader's language
    if decision.authority is not None:  # a signatory the permission rules refuse anyway: nothing to explain
        raise PermissionDenied
    return authority_refused(request, organisation, decision)


def _after_signing(request: HttpRequest, signature: Signature) -> HttpResponse:
    # A delegate sees nothing of the organisation but the signing page (the receipt comes by e-mail).
    if can(request.user, Action.AGREEMENT_DOWNLOAD, signature):
        return redirect("memberships:signed", pk=signature.pk)
    return redirect("memberships:sign", pk=signature.organisation_id)


@login_required
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        organisation = get_for_signing_or_404(Organisation.objects.all(), request.user, Action.AGREEMENT_SIGN, pk=pk)
    except DelegationExpired as exc:
        return delegation_expired(request, exc)
    except PermissionDenied:
        return refused_or_raise(request, pk)
    version = TermsVersion.objects.current_for(organisation.form)
    signature = Signature.objects.filter(organisation=organisation, terms_version=version).first() if version else None
    with translation.override("nb"):  # the basis as the agreement will state it
        decision = services.authority_decision(request.user, organisation)
    if decision.authority is None and signature is None:
        return authority_refused(request, organisation, decision)
    # A session from ID-porten steps up there (a fresh login at the signing level), never with a password.
    provider = step_up.provider_name(request)
    here = request.path
    form = TermsSignForm(
        request.POST or None,
        initial={
            "terms_version": version.pk if version else None,
            "terms_sha256": version.text_sha256 if version else "",
            "confirm": request.method == "GET" and step_up.returned_from(request, here),
        },
        provider=provider,
    )
    status = 200
    changed = None
    if request.method == "POST" and version is not None and signature is None:
        if form.is_valid():
            away = step_up.response_for(request, next_url=here)
            if away is not None:
                return away
            shown_id = form.cleaned_data["terms_version"]
            shown = TermsVersion.objects.filter(pk=shown_id).first() if shown_id else None
            try:
                signature = services.terms_sign(
                    actor=request.user,
                    organisation=organisation,
                    version=version,
                    confirmed=form.cleaned_data["confirm"],
                    shown_version_id=shown_id,
                    shown_sha256=form.cleaned_data["terms_sha256"],
                    shown_label=shown.label if shown else "",
                    ip_address=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                    step_up=step_up.for_request(request, password=form.cleaned_data.get("password", "")),
                )
            except step_up.StepUpNeeded:
                return step_up.response_for(request, next_url=here) or redirect(here)
            except services.AlreadySigned as exc:
                messages.info(request, exc.messages[0])
                return _after_signing(request, exc.signature)
            except services.AuthorityRefused as exc:
                return authority_refused(request, organisation, exc.decision)
            except services.TermsChanged as exc:
                changed = {"message": exc.messages[0], "shown": shown, "current": version}
                # A fresh form for the version now shown: the signatory reads it and signs again.
                form = TermsSignForm(
                    initial={"terms_version": version.pk, "terms_sha256": version.text_sha256}, provider=provider
                )
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                rotate(request)  # a new session id after the step-up
                return _after_signing(request, signature)
        if status != 409:
            status = 400
    return render(
        request,
        "memberships/sign.html",
        {
            "organisation": organisation,
            "authority": decision.authority,
            "version": version,
            "signature": signature,
            "form": form,
            "changed": changed,
            "may_open_receipt": signature is not None and can(request.user, Action.AGREEMENT_DOWNLOAD, signature),
            "step_up_provider": provider,
            "step_up_fresh": bool(provider) and step_up.redirect_if_needed(request) is None,
            "step_up_minutes": max(1, settings.OIDC_STEP_UP_MAX_AGE // 60),
        },
        status=status,
    )


def _visible_signature(request: HttpRequest, pk: int, action: Action) -> Signature:
    queryset = scoped_to_visible_organisations(
        Signature.objects.select_related("organisation", "terms_version", "signer"), request.user
    )
    signature = get_object_or_404(queryset, pk=pk)
    require(request.user, action, signature)
    return signature


@login_required
def signed(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt page after signing."""
    signature = _visible_signature(request, pk, Action.AGREEMENT_DOWNLOAD)
    record_view(request.user, signature, kind=DataKind.AGREEMENT, label=str(signature.terms_version))
    return render(request, "memberships/signed.html", {"signature": signature})


@login_required
def signature_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    signature = _visible_signature(request, pk, Action.AGREEMENT_DOWNLOAD)
    record_view(request.user, signature, kind=DataKind.AGREEMENT, label=str(signature.terms_version))
    return _pdf_response(signature.signed_pdf, signature.filename)


@login_required
def audit_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    signature = _visible_signature(request, pk, Action.AGREEMENT_AUDIT_CERTIFICATE)
    record_view(request.user, signature, kind=DataKind.AGREEMENT, label=str(signature.terms_version))
    events = list(
        AuditEvent.objects.filter(organisation_id=signature.organisation_id)
        .filter(action__in=["agreement.signed", "membership.transition", "delegation.granted", "delegation.revoked"])
        .order_by("id")
    )
    content = documents.audit_certificate_pdf(signature, events)
    return _pdf_response(content, signature.filename.replace("medlemsavtale", "revisjonsbevis"))


# --- delegation --------------------------------------------------------------------------------


@login_required
def delegation_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.SIGNING_DELEGATE, pk=pk)
    grant = services.signatory_grant(request.user, organisation)
    if grant is None or grant.signatory_basis == SignatoryBasis.DELEGATED:
        raise PermissionDenied
    form = DelegateForm(request.POST or None)
    outsider = None
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.signing_delegate(
                actor=request.user,
                organisation=organisation,
                user=form.cleaned_data["user"],
                until=form.cleaned_data["until"],
                agreements=form.cleaned_data["agreements"],
                confirm_outsider=form.cleaned_data["confirm_outsider"],
            )
        except services.OutsiderNeedsConfirmation as exc:
            outsider = exc.message_dict["confirm_outsider"][0]
            form.fields["confirm_outsider"].widget = CheckboxInput()
            form.fields["confirm_outsider"].label = _("Yes, this person is to sign for the organisation")
        except PermissionDenied:
            return authority_refused(request, organisation, services.authority_decision(request.user, organisation))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s may sign for %(org)s until %(date)s.")
                % {"person": grant.user, "org": organisation, "date": grant.valid_until.strftime("%d.%m.%Y")},
            )
            return redirect(organisation)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "memberships/delegate.html",
        {"organisation": organisation, "form": form, "outsider": outsider},
        status=status,
    )


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.ORGANISATION_VIEW, pk=pk)
    grant = get_object_or_404(
        OrganisationRole.objects.select_related("user", "organisation"), pk=role_pk, organisation=organisation
    )
    try:
        services.signing_delegation_revoke(actor=request.user, grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The delegation to %(person)s is revoked.") % {"person": grant.user})
    return redirect(organisation)


# --- public verification -----------------------------------------------------------------------


@rate_limited("verify", lambda: settings.RATELIMIT_VERIFY, methods=("POST",))
def verify(request: HttpRequest) -> HttpResponse:
    """Public: is this PDF a genuine, unaltered agreement from the portal, and whose?"""
    form = VerifyForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            outcome = documents.verify(form.cleaned_data["document"])
        else:
            status = 400
    return render(request, "memberships/verify.html", {"form": form, "outcome": outcome}, status=status)


@login_required
def membership_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """A membership manager ends a membership: the member's notice, a merger, or deletion from the register."""
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.MEMBERSHIP_MANAGE, pk=pk)
    membership = services.membership_for(organisation)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            services.membership_terminate(
                actor=request.user, membership=membership, termination_reason=reason, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The membership of %(org)s has ended.") % {"org": organisation})
            return redirect(organisation)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "memberships/terminate.html",
        {
            "organisation": organisation,
            "membership": membership,
            "form": form,
        },
        status=status,
    )
