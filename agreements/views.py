from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import step_up
from accounts.sessions import rotate
from agreements import charts, documents, flow, graph, hooks, pricing, roadmap, selectors, services
from agreements.choices import FlowStep
from agreements.forms import CatalogueFilter, OrderStepForm, ResignStepForm, SignForm, TerminateForm, TermsForm
from agreements.models import Service, ServiceAgreement, ServiceSigning, ServiceTermsVersion
from core.access import DataKind, record_view
from core.client_ip import client_ip
from core.forms import add_service_errors
from core.permissions import Action, DelegationExpired, can, get_for_signing_or_404, get_visible_or_404, require
from memberships.services import AuthorityRefused, authority_decision
from memberships.views import authority_refused, delegation_expired, refused_or_raise
from organisations.models import Organisation
from organisations.querysets import scoped_to_visible_organisations


def _my_organisations(request: HttpRequest) -> list[Organisation]:
    """The organisations the user has a role in (for the price estimate on a service's page)."""
    return list(Organisation.objects.held_by(request.user).select_related("size").order_by("name"))


# --- the catalogue (public) ----------------------------------------------------------------------


def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilter(request.GET or None)
    catalogue_services = Service.objects.prefetch_related("prerequisites").order_by("sort_order", "name")
    if form.is_valid():
        if form.cleaned_data["category"]:
            catalogue_services = catalogue_services.filter(category=form.cleaned_data["category"])
        if form.cleaned_data["lifecycle"]:
            catalogue_services = catalogue_services.filter(lifecycle=form.cleaned_data["lifecycle"])
    return render(request, "agreements/catalogue.html", {"services": list(catalogue_services), "form": form})


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = get_object_or_404(Service.objects.prefetch_related("prerequisites", "required_by"), slug=slug)
    terms = services.current_terms([service]).get(service.pk)
    prerequisite_ids = graph.closure(graph.prerequisite_map(), [service.pk])
    estimates = [(org, pricing.for_organisation(service, org)) for org in _my_organisations(request)]
    return render(
        request,
        "agreements/service_detail.html",
        {
            "service": service,
            "terms": terms,
            "all_prerequisites": Service.objects.filter(pk__in=prerequisite_ids).order_by("sort_order"),
            "estimates": estimates,
            "may_manage_terms": can(request.user, Action.SERVICE_TERMS_MANAGE),
            "versions": service.terms_versions.published() if can(request.user, Action.SERVICE_TERMS_MANAGE) else [],
        },
    )


def terms_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    version = get_object_or_404(
        ServiceTermsVersion.objects.published().select_related("service"), service__slug=slug, pk=pk
    )
    special = sorted((version.special_terms or {}).items())
    return render(request, "agreements/terms_detail.html", {"version": version, "special": special})


def overview(request: HttpRequest) -> HttpResponse:
    """How the services fit together: the prerequisite graph and the roadmap, each with a text equivalent."""
    all_services = list(Service.objects.prefetch_related("prerequisites").order_by("sort_order", "name"))
    prerequisites = graph.prerequisite_map()
    today = timezone.localdate()
    rows = roadmap.rows(all_services, today)
    start, end = roadmap.axis(rows, today)
    return render(
        request,
        "agreements/overview.html",
        {
            "services": all_services,
            "graph_svg": charts.prerequisite_svg(
                all_services,
                prerequisites,
                title=_("How the services fit together"),
                description=_(
                    "Each arrow goes from a service to a service that needs it. The list below says the same."
                ),
            ),
            "roadmap_svg": charts.roadmap_svg(
                rows,
                start=start,
                end=end,
                title=_("Roadmap for national services"),
                description=_(
                    "Each bar shows when a service is planned, in pilot, available and phasing out. "
                    "The table below says the same."
                ),
            ),
            "roadmap_rows": rows,
        },
    )


# --- terms (membership managers) -----------------------------------------------------------------


@login_required
def terms_new(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, Action.SERVICE_TERMS_MANAGE)
    service = get_object_or_404(Service, slug=slug)
    instance = ServiceTermsVersion(service=service)
    form = TermsForm(request.POST or None, instance=instance)
    affected = ServiceAgreement.objects.live().filter(service=service).count()
    if request.method == "POST" and form.is_valid():
        try:
            version = form.save()
            count = services.service_terms_publish(actor=request.user, version=version)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "The terms %(label)s are published. %(count)s agreement must be re-signed.",
                    "The terms %(label)s are published. %(count)s agreements must be re-signed.",
                    count,
                )
                % {"label": version.label, "count": count},
            )
            return redirect(service)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "agreements/terms_form.html", {"service": service, "form": form, "affected": affected}, status=status
    )


# --- an organisation's services --------------------------------------------------------------------


@login_required
def organisation_services(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        Organisation.objects.select_related("size"), request.user, Action.SERVICE_AGREEMENTS_VIEW, pk=pk
    )
    overview_ = selectors.agreement_overview(organisation)
    # Coordinators see the agreements of their municipalities but not orders (ORDER_VIEW): no list of
    # links they could not open.
    orders = (
        list(hooks.orders_of(organisation).select_related("service").order_by("-submitted_at")[:50])
        if can(request.user, Action.ORDER_VIEW, organisation)
        else None
    )
    signings = list(
        ServiceSigning.objects.filter(organisation=organisation).defer("signed_pdf").order_by("-signed_at")[:20]
    )
    return render(
        request,
        "agreements/organisation_services.html",
        {
            "organisation": organisation,
            "overview": overview_,
            "orders": orders,
            "signings": signings,
            "may_sign": can(request.user, Action.SERVICE_SIGN, organisation),
            "may_download": can(request.user, Action.AGREEMENT_DOWNLOAD, organisation),
        },
    )


@login_required
def agreement_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = scoped_to_visible_organisations(
        ServiceAgreement.objects.live().select_related("service", "organisation"), request.user
    )
    agreement = get_object_or_404(queryset, pk=pk)
    require(request.user, Action.SERVICE_SIGN, agreement)
    dependents = services.termination_impact(agreement)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.agreement_terminate(
                actor=request.user,
                agreement=agreement,
                reason=form.cleaned_data["reason"],
                include_dependents=form.cleaned_data["include_dependents"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Ended: %(names)s.") % {"names": ", ".join(a.service.name for a in ended)},
            )
            return redirect("agreements:organisation_services", pk=agreement.organisation_id)
    needs_connection = agreement.service.is_connection
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agreements/agreement_terminate.html",
        {"agreement": agreement, "dependents": dependents, "form": form, "needs_connection": needs_connection},
        status=status,
    )


def _visible_signing(request: HttpRequest, pk: int) -> ServiceSigning:
    signing = get_object_or_404(
        scoped_to_visible_organisations(ServiceSigning.objects.select_related("organisation"), request.user), pk=pk
    )
    require(request.user, Action.AGREEMENT_DOWNLOAD, signing)
    return signing


@login_required
def signing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signing = _visible_signing(request, pk)
    record_view(request.user, signing, kind=DataKind.AGREEMENT, label=str(signing))
    orders = list(signing.orders.select_related("service"))
    return render(request, "agreements/signing_detail.html", {"signing": signing, "orders": orders})


@login_required
def signing_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    signing = _visible_signing(request, pk)
    record_view(request.user, signing, kind=DataKind.AGREEMENT, label=str(signing))
    response = HttpResponse(bytes(signing.signed_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(signing)}"'
    return response


# --- the guided flow -----------------------------------------------------------------------------


def _stale_flow(request: HttpRequest, organisation: Organisation, token: str) -> HttpResponse:
    """A submit from a page of a flow that is no longer the current one (finished, restarted, or another
    tab moved on): nothing changes, and the signatory is told what happened."""
    signing = None
    if token:
        try:
            signing = ServiceSigning.objects.filter(organisation=organisation, flow_token=token).first()
        except ValidationError:  # not a UUID
            signing = None
    if signing is not None:
        messages.warning(
            request,
            _("This guided flow was already signed by %(name)s at %(time)s. Nothing was changed.")
            % {"name": signing.signer_name, "time": timezone.localtime(signing.signed_at).strftime("%d.%m.%Y %H:%M")},
        )
    else:
        messages.warning(
            request,
            _(
                "This page was out of date: its guided flow has already been finished, restarted or moved on in "
                "another tab. Nothing was changed. Here is where the flow stands now."
            ),
        )
    return redirect("agreements:guided_flow", pk=organisation.pk)


@login_required
def guided_flow(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        organisation = get_for_signing_or_404(
            Organisation.objects.select_related("size"), request.user, Action.SERVICE_SIGN, pk=pk
        )
    except DelegationExpired as exc:
        return delegation_expired(request, exc)
    except PermissionDenied:
        return refused_or_raise(request, pk)
    decision = authority_decision(request.user, organisation)
    if decision.authority is None:
        return authority_refused(request, organisation, decision)
    is_delegate = decision.authority.delegated
    state = flow.load(organisation)
    try:
        wanted = int(request.POST.get("step") or request.GET.get("step") or 0) or None
    except ValueError:
        wanted = None
    step = state.allowed_step(wanted)
    self_url = reverse("agreements:guided_flow", args=[organisation.pk])
    if request.method == "POST":
        posted_token = request.POST.get("flow_token", "")
        # Only a page of this very flow, for the step it shows, may change it: never a stale tab's
        # form bound to another step (an empty "keep" list must not end every agreement).
        if posted_token != str(state.flow.token) or wanted != step:
            return _stale_flow(request, organisation, posted_token)
    resign_form = ResignStepForm(
        request.POST if request.method == "POST" and step == FlowStep.RESIGN else None,
        agreements=state.agreements,
        initial={"keep": state.flow.keep or [a.pk for a in state.agreements]},
    )
    order_form = OrderStepForm(
        request.POST if request.method == "POST" and step == FlowStep.ORDER else None,
        orderable=state.orderable,
        initial={"services": state.flow.order},
    )
    # A session from ID-porten steps up there (a fresh login at the signing level), never with a password.
    provider = step_up.provider_name(request)
    confirm_url = f"{self_url}?step={FlowStep.CONFIRM}"
    at_confirm = request.method == "GET" and step == FlowStep.CONFIRM
    back_from_step_up = at_confirm and step_up.returned_from(request, confirm_url)
    sign_form = SignForm(
        request.POST if request.method == "POST" and step == FlowStep.CONFIRM else None,
        provider=provider,
        initial={"confirm": back_from_step_up},
    )
    status = 200
    drop_warning: list[tuple[Any, list[str]]] = []
    changes: list[str] = []
    if request.method == "POST":
        if step == FlowStep.RESIGN and resign_form.is_valid():
            ending = flow.dropping(state, resign_form.cleaned_data["keep"])
            if ending and is_delegate:
                resign_form.add_error(
                    None, _("A delegate can sign, but not end agreements. Keep them all, or ask a signatory.")
                )
            elif ending and not request.POST.get("confirm_drop"):
                # Ending a service is never a side effect of a form: it needs its own, warned confirmation.
                drop_warning = [(a, flow.what_stops(state, a)) for a in ending]
            else:
                flow.save_resign(
                    state, keep=resign_form.cleaned_data["keep"], actor=request.user, drop_confirmed=bool(ending)
                )
                return redirect(f"{self_url}?step={FlowStep.ORDER}")
        if step == FlowStep.ORDER and order_form.is_valid():
            for note in flow.save_order(state, wanted=order_form.cleaned_data["services"], actor=request.user):
                messages.info(request, note)
            return redirect(f"{self_url}?step={FlowStep.CONFIRM}")
        if step == FlowStep.CONFIRM and sign_form.is_valid():
            away = step_up.response_for(request, next_url=confirm_url)
            if away is not None:
                return away
            try:
                shown = json.loads(request.POST.get("shown") or "null")
            except ValueError:
                shown = None
            try:
                signing = services.sign_services(
                    actor=request.user,
                    organisation=organisation,
                    selection=state.selection(),
                    confirmed=sign_form.cleaned_data["confirm"],
                    shown=shown if isinstance(shown, list) else [],
                    drop_confirmed=state.flow.drop_confirmed,
                    ip_address=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                    flow_token=state.flow.token,
                    step_up=step_up.for_request(request, password=sign_form.cleaned_data.get("password", "")),
                )
            except step_up.StepUpNeeded:
                return step_up.response_for(request, next_url=confirm_url) or redirect(confirm_url)
            except services.SelectionChanged as exc:
                changes = exc.changes
                sign_form = SignForm(provider=provider)
                status = 409
            except AuthorityRefused as exc:
                return authority_refused(request, organisation, exc.decision)
            except ValidationError as exc:
                add_service_errors(sign_form, exc)
            else:
                rotate(request)  # a new session id after the step-up
                flow.finish(state)
                if signing is None:
                    messages.success(request, _("The agreements you chose to end have ended."))
                    return redirect("agreements:organisation_services", pk=organisation.pk)
                messages.success(request, _("Signed. The signed agreement has been sent to you by e-mail."))
                if is_delegate:  # a delegate sees nothing of the organisation but the signing
                    return redirect("agreements:guided_flow", pk=organisation.pk)
                return redirect("agreements:signing_detail", pk=signing.pk)
        if status != 409:
            status = 400
    selection = state.selection()
    terms = flow.terms_for(selection)
    chosen = [*(a.service for a in selection.keep), *selection.order]
    estimates = [(s, state.estimate(s)) for s in chosen]
    total, total_known = pricing.total([e for _s, e in estimates])
    return render(
        request,
        "agreements/flow.html",
        {
            "organisation": organisation,
            "state": state,
            "step": step,
            "steps": FlowStep,
            "resign_form": resign_form,
            "order_form": order_form,
            "sign_form": sign_form,
            "keep_checked": set(state.flow.keep)
            if (state.flow.keep or state.flow.drop)
            else {a.pk for a in state.agreements},
            "order_checked": set(state.flow.order),
            "agreement_rows": [(a, state.outdated(a), state.dependents_of(a)) for a in state.agreements],
            "order_rows": [(s, state.missing_for(s), state.estimate(s)) for s in state.orderable],
            "selection": selection,
            "terms": terms,
            "estimates": estimates,
            "total": total,
            "total_known": total_known,
            "problems": services.selection_problems(organisation, selection) if step == FlowStep.CONFIRM else [],
            "shown": json.dumps(services.selection_items(organisation, selection)) if step == FlowStep.CONFIRM else "",
            "drop_warning": drop_warning,
            "changes": changes,
            "is_delegate": is_delegate,
            "step_up_provider": provider,
            "step_up_fresh": bool(provider) and step_up.redirect_if_needed(request) is None,
            "step_up_minutes": max(1, settings.OIDC_STEP_UP_MAX_AGE // 60),
            "ending": selection.drop,
            "ending_effects": [(a, flow.what_stops(state, a)) for a in selection.drop]
            if step == FlowStep.CONFIRM
            else [],
        },
        status=status,
    )


@require_POST
@login_required
def flow_restart(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        organisation = get_for_signing_or_404(Organisation.objects.all(), request.user, Action.SERVICE_SIGN, pk=pk)
    except DelegationExpired as exc:
        return delegation_expired(request, exc)
    flow.finish(flow.load(organisation))
    messages.info(request, _("Your choices were cleared. Start again from the top."))
    return redirect("agreements:guided_flow", pk=organisation.pk)
