"""Pages of the Enhetsregisteret sync, for membership managers: the candidate list (who must be a
member and is not, and members that left the register), the membership rules and mergers."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.permissions import Action, require
from enhetsregisteret import services
from enhetsregisteret.forms import InviteForm, MergerForm, RuleForm
from enhetsregisteret.models import FeedCursor, FollowUp, ImportCheckpoint, MembershipRule, Merger

NEW_DAYS = 30
PAGE_SIZE = 50
VIEWS = ("new", "without", "left")


def _sections(now: dt.datetime) -> dict[str, object]:
    since = now - dt.timedelta(days=NEW_DAYS)
    base = services.candidates().select_related("register_entry", "membership", "address_municipality")
    return {
        "new": base.filter(register_entry__first_seen_at__gte=since).order_by("-register_entry__first_seen_at", "name"),
        "without": base.filter(register_entry__first_seen_at__lt=since).order_by("name"),
        "left": FollowUp.objects.open()
        .select_related("organisation", "organisation__membership")
        .order_by("-detected_at", "pk"),
    }


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MEMBERSHIP_MANAGE)
    show = request.GET.get("show") if request.GET.get("show") in VIEWS else "new"
    sections = _sections(timezone.now())
    counts = {name: qs.count() for name, qs in sections.items()}  # type: ignore[attr-defined]  # each section is a QuerySet
    page = Paginator(sections[show], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enhetsregisteret/candidates.html",
        {
            "show": show,
            "counts": counts,
            "page": page,
            "query": f"show={show}",
            "new_days": NEW_DAYS,
            "import_checkpoint": ImportCheckpoint.objects.exclude(finished_at=None).order_by("-finished_at").first(),
            "cursor": FeedCursor.objects.filter(feed="enheter").first(),
            "mergers": Merger.objects.filter(withdrawn_at__isnull=True).select_related(
                "old_organisation", "new_organisation"
            )[:5],
        },
    )


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MEMBERSHIP_MANAGE)
    form = InviteForm(request.POST, queryset=services.candidates())
    show = request.POST.get("show") if request.POST.get("show") in VIEWS else "new"
    if not form.is_valid():
        for error in form.errors.get("organisations", []):
            messages.error(request, _("No invitations were sent: %(error)s") % {"error": error})
        return redirect(f"{reverse('enhetsregisteret:candidates')}?show={show}")
    try:
        report = services.invite_candidates(
            actor=request.user, organisation_ids=[o.pk for o in form.cleaned_data["organisations"]]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if report.invited:
            messages.success(
                request,
                ngettext(
                    "%(count)d organisation is invited to sign the membership terms.",
                    "%(count)d organisations are invited to sign the membership terms.",
                    len(report.invited),
                )
                % {"count": len(report.invited)},
            )
        for reason in report.skipped:
            messages.warning(request, reason)
    return redirect(f"{reverse('enhetsregisteret:candidates')}?show={show}")


@login_required
@require_POST
def follow_up_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MEMBERSHIP_MANAGE)
    follow_up = get_object_or_404(FollowUp.objects.select_related("organisation"), pk=pk)
    try:
        services.follow_up_resolve(actor=request.user, follow_up=follow_up)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The follow-up of %(org)s is marked as resolved.") % {"org": follow_up.organisation}
        )
    return redirect(f"{reverse('enhetsregisteret:candidates')}?show=left")


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MEMBERSHIP_MANAGE)
    return render(request, "enhetsregisteret/rule_list.html", {"rules": MembershipRule.objects.all()})


@login_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Action.MEMBERSHIP_MANAGE)
    rule = get_object_or_404(MembershipRule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_save(actor=request.user, rule=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The rule is saved, and the candidate list is updated."))
            return redirect("enhetsregisteret:rule_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "enhetsregisteret/rule_form.html", {"form": form, "rule": rule}, status=status)


def _merger_saved(request: HttpRequest, merger: Merger, report: services.InvitationReport) -> None:
    if merger.is_pending:
        messages.success(
            request,
            _(
                "Scheduled: on %(date)s the membership of %(old)s ends, its connections move and %(new)s is "
                "invited. Until then you can change or withdraw it."
            )
            % {
                "date": date_format(merger.effective_date, "SHORT_DATE_FORMAT"),
                "old": merger.old_organisation,
                "new": merger.new_organisation,
            },
        )
    else:
        messages.success(
            request,
            _("Recorded: %(old)s is taken over by %(new)s.")
            % {"old": merger.old_organisation, "new": merger.new_organisation},
        )
    for reason in report.skipped:
        messages.warning(request, reason)


@login_required
def merger_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MEMBERSHIP_MANAGE)
    form = MergerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            merger, report = services.record_merger(
                actor=request.user,
                old=data["old"],
                new=data["new"],
                kind=data["kind"],
                effective_date=data["effective_date"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _merger_saved(request, merger, report)
            return redirect(merger.new_organisation)
    status = 400 if request.method == "POST" else 200
    return render(request, "enhetsregisteret/merger_form.html", {"form": form}, status=status)


@login_required
def merger_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a scheduled merger before its date (the old organisation stays; to change it, withdraw)."""
    require(request.user, Action.MEMBERSHIP_MANAGE)
    merger = get_object_or_404(Merger.objects.select_related("old_organisation", "new_organisation"), pk=pk)
    if not merger.is_pending:
        messages.error(request, _("This change is already carried out or withdrawn: it can no longer be changed."))
        return redirect("enhetsregisteret:candidates")
    initial = {
        "old_org_number": merger.old_organisation.org_number,
        "new_org_number": merger.new_organisation.org_number,
        "kind": merger.kind,
        "effective_date": merger.effective_date,
        "note": merger.note,
    }
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["old_org_number"] = merger.old_organisation.org_number or ""
    form = MergerForm(data, initial=initial)
    form.fields["old_org_number"].disabled = True
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            merger, report = services.merger_update(
                actor=request.user,
                merger=merger,
                new=cleaned["new"],
                kind=cleaned["kind"],
                effective_date=cleaned["effective_date"],
                note=cleaned["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _merger_saved(request, merger, report)
            return redirect("enhetsregisteret:candidates")
    status = 400 if request.method == "POST" else 200
    return render(request, "enhetsregisteret/merger_form.html", {"form": form, "merger": merger}, status=status)


@login_required
@require_POST
def merger_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MEMBERSHIP_MANAGE)
    merger = get_object_or_404(Merger, pk=pk)
    try:
        services.merger_withdraw(actor=request.user, merger=merger, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Withdrawn: nothing changes for %(old)s.") % {"old": merger.old_organisation})
    return redirect("enhetsregisteret:candidates")
