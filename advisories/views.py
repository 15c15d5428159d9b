"""Pages of advisories, security contacts and the threat picture. Thin: load with an access check
(``Advisory.objects.visible_to`` for every advisory page), bind a form, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from advisories import csaf, services
from advisories.choices import TLP_DESCRIPTIONS, AdvisoryStatus, Severity
from advisories.filters import AdvisoryFilter
from advisories.forms import (
    AcknowledgeForm,
    AdvisoryForm,
    ContactDetailsForm,
    CsafUploadForm,
    ReturnForm,
    ThreatPictureForm,
)
from advisories.models import Acknowledgement, Advisory, SecurityContactDetails, ThreatPicture
from core.access import DataKind, record_view
from core.forms import add_service_errors
from core.permissions import Action, can, get_visible_or_404, require
from core.roles import OrganisationRoleType
from lib.csvsafe import csv_response
from organisations.models import Organisation, OrganisationRole

PAGE_SIZE = 25


def _visible(request: HttpRequest, pk: int) -> Advisory:
    """An advisory the user may see (the one TLP rule), else 404."""
    try:
        return Advisory.objects.visible_to(request.user).get(pk=pk)
    except Advisory.DoesNotExist:
        raise Http404 from None


def _managed(request: HttpRequest, pk: int) -> Advisory:
    require(request.user, Action.ADVISORY_MANAGE)
    return get_object_or_404(Advisory, pk=pk)


def _filtered(request: HttpRequest, queryset: QuerySet[Advisory]) -> AdvisoryFilter:
    """The list's search and severity; a value it cannot use (an unknown severity) is left out."""
    return AdvisoryFilter(request.GET, queryset=queryset)


# --- lists -------------------------------------------------------------------------------------


@login_required
def advisory_list(request: HttpRequest) -> HttpResponse:
    manager = can(request.user, Action.ADVISORY_MANAGE)
    visible = Advisory.objects.visible_to(request.user)
    filters = _filtered(request, visible.filter(status=AdvisoryStatus.PUBLISHED))
    page = Paginator(filters.qs.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "q": filters.form.cleaned_data.get("q") or "",
        "severity": filters.form.cleaned_data.get("severity") or "",
        "severities": Severity.choices,
        "may_manage": manager,
        "work": list(visible.exclude(status=AdvisoryStatus.PUBLISHED).select_related("author", "corrects"))
        if manager
        else [],
    }
    return render(request, "advisories/list.html", context)


def public_list(request: HttpRequest) -> HttpResponse:
    """TLP:CLEAR advisories, for anyone: the same rule as for a signed-out visitor."""
    visible = Advisory.objects.visible_to(AnonymousUser())
    page = Paginator(visible.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "advisories/public_list.html", {"page": page, "query": ""})


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        advisory = Advisory.objects.visible_to(AnonymousUser()).get(pk=pk)
    except Advisory.DoesNotExist:
        raise Http404 from None
    return render(request, "advisories/public_detail.html", {"advisory": advisory})


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    queryset = _filtered(request, Advisory.objects.visible_to(request.user).filter(status=AdvisoryStatus.PUBLISHED)).qs
    rows = (
        (a.tracking_id, a.tlp_label, a.get_severity_display(), a.title, timezone.localtime(a.published_at).isoformat())
        for a in queryset.order_by("-published_at", "-pk")
    )
    return csv_response("sikkerhetsvarsler.csv", [_("ID"), _("TLP"), _("Severity"), _("Title"), _("Published")], rows)


# --- one advisory ------------------------------------------------------------------------------


@login_required
def advisory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    advisory = _visible(request, pk)
    manager = can(request.user, Action.ADVISORY_MANAGE)
    ack_orgs = services.acknowledging_organisations(request.user, advisory) if advisory.is_published else []
    acks = {
        a.organisation_id: a
        for a in Acknowledgement.objects.filter(advisory=advisory, organisation__in=ack_orgs).select_related(
            "organisation", "acknowledged_by"
        )
    }
    context = {
        "advisory": advisory,
        "tlp_description": TLP_DESCRIPTIONS.get(advisory.tlp, ""),
        "may_manage": manager,
        "ack_form": AcknowledgeForm(organisations=ack_orgs) if ack_orgs else None,
        "acks": list(acks.values()),
        "revisions": list(advisory.revisions.select_related("approved_by").order_by("-number")),
        "return_form": ReturnForm() if manager and advisory.status == AdvisoryStatus.IN_REVIEW else None,
        "may_approve": manager
        and advisory.status == AdvisoryStatus.IN_REVIEW
        and request.user.pk not in {advisory.author_id, advisory.submitted_by_id},
    }
    if manager:
        context["audience"] = {
            "counties": list(advisory.audience_counties.all()),
            "networks": list(advisory.audience_networks.all()),
            "organisations": list(advisory.audience_organisations.all()),
            "people": list(advisory.audience_people.all()),
        }
    return render(request, "advisories/detail.html", context)


@login_required
def advisory_csaf(request: HttpRequest, pk: int) -> HttpResponse:
    advisory = _visible(request, pk)
    response = HttpResponse(csaf.export_json(advisory), content_type="application/json; charset=utf-8")
    # An imported tracking ID is the publisher's text (quotes, semicolons): only safe characters in the header.
    name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in advisory.tracking_id.lower())
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@login_required
def advisory_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Action.ADVISORY_MANAGE)
    advisory = get_object_or_404(Advisory, pk=pk) if pk else None
    if advisory is not None and advisory.status != AdvisoryStatus.DRAFT:
        messages.error(request, _("Only a draft can be changed. Write a correction instead."))
        return redirect(advisory)
    form = AdvisoryForm(request.POST or None, instance=advisory)
    if request.method == "POST" and form.is_valid():
        try:
            advisory = services.advisory_save(actor=request.user, form=form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft is saved. Send it for review when it is ready."))
            return redirect(advisory)
    status = 400 if request.method == "POST" else 200
    return render(request, "advisories/form.html", {"form": form, "advisory": advisory}, status=status)


def _distribution_message(summary: services.DistributionSummary) -> str:
    """What approval set in motion, in numbers: never "notified" when no e-mail is sent."""
    if summary.recipients == 0:
        text = _("No e-mail is sent: nobody in the audience can be reached by e-mail.")
    elif summary.scheduled_for is not None:
        text = ngettext(
            "%(count)d person will be e-mailed at the publish time.",
            "%(count)d people will be e-mailed at the publish time.",
            summary.recipients,
        ) % {"count": summary.recipients}
    else:
        text = ngettext(
            "%(count)d person is being e-mailed.", "%(count)d people are being e-mailed.", summary.recipients
        ) % {"count": summary.recipients}
    if summary.without_contact:
        text += " " + ngettext(
            "%(count)d of the %(total)d targeted member organisations has no security contact: it is not e-mailed.",
            "%(count)d of the %(total)d targeted member organisations have no security contact: they are not e-mailed.",
            summary.without_contact,
        ) % {"count": summary.without_contact, "total": summary.organisations}
    return text


def _step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    advisory = _managed(request, pk)
    try:
        if step == "submit":
            advisory = services.advisory_submit(actor=request.user, advisory=advisory)
            messages.success(request, _("Sent for review. Another CERT analyst must approve it."))
        elif step == "approve":
            corrects = advisory.corrects
            advisory = services.advisory_approve(actor=request.user, advisory=advisory)
            summary = services.distribution_summary(advisory)
            published = _("Approved and published.")
            messages.success(
                request, published if corrects is None else _("The correction is published as a new revision.")
            )
            messages.info(request, _distribution_message(summary))
        elif step == "return":
            form = ReturnForm(request.POST)
            reason = form.data.get("reason", "") if form.is_valid() else ""
            advisory = services.advisory_return(actor=request.user, advisory=advisory, reason=reason)
            messages.success(request, _("Sent back to the author."))
        elif step == "correct":
            draft = services.advisory_start_correction(actor=request.user, advisory=advisory)
            messages.success(request, _("Write the correction, then send it for review."))
            return redirect("advisories:edit", draft.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        if not str(exc):
            raise
        messages.error(request, str(exc))
    return redirect(advisory)


@login_required
@require_POST
def advisory_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "submit")


@login_required
@require_POST
def advisory_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "approve")


@login_required
@require_POST
def advisory_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "return")


@login_required
@require_POST
def advisory_correct(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "correct")


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    advisory = _visible(request, pk)
    organisations = services.acknowledging_organisations(request.user, advisory)
    if not organisations:
        raise PermissionDenied
    form = AcknowledgeForm(request.POST, organisations=organisations)
    if form.is_valid():
        try:
            services.acknowledge(
                actor=request.user,
                advisory=advisory,
                organisation=form.cleaned_data["organisation"],
                status=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your answer is recorded."))
            return redirect(advisory)
    context = {"advisory": advisory, "ack_form": form}
    return render(request, "advisories/acknowledge.html", context, status=400)


@login_required
def acknowledgements(request: HttpRequest, pk: int) -> HttpResponse:
    advisory = _managed(request, pk)
    return render(
        request, "advisories/acknowledgements.html", {"advisory": advisory, **services.ack_overview(advisory)}
    )


@login_required
def revision_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    advisory = _managed(request, pk)
    revision = get_object_or_404(advisory.revisions, number=number)
    return render(request, "advisories/revision.html", {"advisory": advisory, "revision": revision})


@login_required
def csaf_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.ADVISORY_MANAGE)
    form = CsafUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            advisory = services.csaf_import(actor=request.user, data=form.cleaned_data["document"])
        except ValidationError as exc:
            form.add_error("document", exc)
        else:
            messages.success(request, _("Imported as a draft. Choose the audience, then send it for review."))
            return redirect(advisory)
    status = 400 if request.method == "POST" else 200
    return render(request, "advisories/import.html", {"form": form}, status=status)


# --- security contacts -------------------------------------------------------------------------


@login_required
def contacts(request: HttpRequest, org_pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        Organisation.objects.all(), request.user, Action.SECURITY_CONTACTS_VIEW, pk=org_pk
    )
    roles = list(
        OrganisationRole.objects.active()
        .filter(organisation=organisation, role=OrganisationRoleType.SECURITY_CONTACT)
        .select_related("user", "security_details")
        .order_by("user__full_name")
    )
    record_view(request.user, organisation, kind=DataKind.CONTACTS, label=organisation.name)
    return render(
        request,
        "advisories/contacts.html",
        {
            "organisation": organisation,
            "roles": roles,
            "may_manage": can(request.user, Action.SECURITY_CONTACTS_MANAGE, organisation),
        },
    )


@login_required
def contact_edit(request: HttpRequest, org_pk: int, role_pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        Organisation.objects.all(), request.user, Action.SECURITY_CONTACTS_MANAGE, pk=org_pk
    )
    role = get_object_or_404(
        OrganisationRole.objects.active().select_related("user"),
        pk=role_pk,
        organisation=organisation,
        role=OrganisationRoleType.SECURITY_CONTACT,
    )
    details = SecurityContactDetails.objects.filter(role=role).first()
    initial = {"phone": details.phone, "available_24_7": details.available_24_7} if details else {}
    form = ContactDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_details_save(
                actor=request.user,
                role=role,
                phone=form.cleaned_data["phone"],
                available_24_7=form.cleaned_data["available_24_7"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The security contact's details are saved."))
            return redirect("advisories:contacts", organisation.pk)
    status = 400 if request.method == "POST" else 200
    context = {"organisation": organisation, "role": role, "form": form}
    return render(request, "advisories/contact_form.html", context, status=status)


@login_required
def contacts_missing(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.SECURITY_CONTACTS_MISSING)
    members = services.member_organisations().filter(pk__in=Organisation.objects.visible_to(request.user).values("pk"))
    queryset = services.without_security_contact(members).select_related("municipality__county").order_by("name")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "advisories/contacts_missing.html",
        {"page": page, "query": "", "may_manage": can(request.user, Action.ADVISORY_MANAGE)},
    )


# --- threat picture ----------------------------------------------------------------------------


@login_required
def threat_picture(request: HttpRequest) -> HttpResponse:
    picture = ThreatPicture.objects.select_related("created_by").first()
    manager = can(request.user, Action.ADVISORY_MANAGE)
    history = list(ThreatPicture.objects.only("version", "title", "change_note", "created_at")[:20]) if manager else []
    context = {"picture": picture, "may_manage": manager, "history": history}
    return render(request, "advisories/threat_picture.html", context)


@login_required
def threat_picture_edit(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.ADVISORY_MANAGE)
    current = ThreatPicture.objects.first()
    initial = {"title": current.title, "body": current.body} if current else {}
    form = ThreatPictureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.threat_picture_publish(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The threat picture is updated."))
            return redirect("advisories:threat_picture")
    status = 400 if request.method == "POST" else 200
    return render(request, "advisories/threat_picture_form.html", {"form": form}, status=status)
