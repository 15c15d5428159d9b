"""Signing status as of any date: national, per county, per Diginettverk and per organisation form.

Every signature is timestamped, so the picture on any past day is a query, not a snapshot. All
figures come from a fixed number of aggregate queries, whatever the number of organisations.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from agreements.choices import AgreementState
from agreements.models import ServiceAgreement
from core.roles import OrganisationRoleType
from enhetsregisteret.models import RegisterEntry
from memberships.choices import MembershipState
from memberships.models import Membership, ReminderLog, Signature, TermsVersion
from orders.choices import OPEN_STATES
from orders.models import Order
from organisations.choices import OrganisationForm, RegisterStatus
from organisations.models import Organisation, OrganisationRole

OSLO = ZoneInfo(settings.TIME_ZONE)
PACE_WINDOW_DAYS = 14

GROUPINGS = {
    "county": ("address_municipality__county__number", "address_municipality__county__name"),
    "diginettverk": ("municipality__diginettverk_id", "municipality__diginettverk__name"),
    "form": ("form", "form"),
}


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in Norway: "as of 10 March" counts everything signed that day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=OSLO)


@dataclass(frozen=True)
class Figure:
    key: Any
    label: str
    signed: int
    total: int

    @property
    def percent(self) -> int:
        """Whole per cent, rounded (half up): 306 of 357 is 86 %. Never 100 % unless everyone has signed,
        never 0 % once someone has: 356 of 357 is 99 %, 1 of 357 is 1 %."""
        return rounded_percent(self.signed, self.total)

    @property
    def decile(self) -> int:
        """The share rounded down to tens, for the width of a bar drawn with CSS classes (no inline style)."""
        return self.percent // 10 * 10

    @property
    def missing(self) -> int:
        return self.total - self.signed


def rounded_percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` in whole per cent, rounded half up, kept off 100 while some are missing and off
    0 once there is one."""
    if whole <= 0 or part <= 0:
        return 0
    if part >= whole:
        return 100
    return min(99, max(1, math.floor(100 * part / whole + 0.5)))


def required_organisations(
    version: TermsVersion, scope: QuerySet[Organisation], as_of: dt.date | None = None
) -> QuerySet[Organisation]:
    """Who had to sign ``version`` on ``as_of`` (today when not given): of a required form, in the register
    by then (first seen in it before that day ended; units without a register entry — reference data —
    always were), not deleted from it by then, and whose membership had not ended by then (an ended
    organisation leaves every figure, list and reminder from the day it ended). A register import that adds
    organisations today leaves the figures of any past day as they were."""
    day = as_of or timezone.localdate()
    end = end_of_day(day)
    new_later = RegisterEntry.objects.filter(first_seen_at__gte=end).values("organisation_id")
    deleted_by_then = RegisterEntry.objects.filter(deleted_on__lte=day).values("organisation_id")
    deleted_later = RegisterEntry.objects.filter(deleted_on__gt=day).values("organisation_id")
    ended = (
        Membership.objects.filter(state=MembershipState.TERMINATED)
        .annotate(ended_at=Max("transitions__at", filter=Q(transitions__to_state=MembershipState.TERMINATED)))
        .filter(Q(ended_at__lt=end) | Q(ended_at__isnull=True))
        .values("organisation_id")
    )
    return (
        scope.filter(form__in=version.required_forms)
        .exclude(pk__in=new_later)
        .exclude(pk__in=deleted_by_then)
        .exclude(Q(register_status=RegisterStatus.DELETED) & ~Q(pk__in=deleted_later))
        .exclude(pk__in=ended)
    )


def with_signed_flag(queryset: QuerySet[Organisation], version: TermsVersion, as_of: dt.date) -> QuerySet[Organisation]:
    signed = Signature.objects.filter(
        organisation=OuterRef("pk"), terms_version=version, signed_at__lt=end_of_day(as_of)
    )
    return queryset.annotate(has_signed=Exists(signed))


def missing_organisations(
    version: TermsVersion, scope: QuerySet[Organisation], as_of: dt.date
) -> QuerySet[Organisation]:
    """Who had not signed by the end of ``as_of``, with county, membership, the last reminder and the
    contacts (active administrators and signatories, in ``contacts``): two queries however many."""
    last_reminder = (
        ReminderLog.objects.filter(organisation=OuterRef("pk"), terms_version=version)
        .values("organisation")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    contacts = (
        OrganisationRole.objects.active()
        .filter(role__in=[OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY])
        .select_related("user")
    )
    return (
        with_signed_flag(required_organisations(version, scope, as_of), version, as_of)  # type: ignore[misc]  # .filter(has_signed=…): annotated by with_signed_flag()
        .filter(has_signed=False)
        .annotate(last_reminder=Subquery(last_reminder))
        .select_related("address_municipality__county", "membership")
        .prefetch_related(Prefetch("roles", queryset=contacts, to_attr="contacts"))
        .order_by("form", "search_name")
    )


def figures(
    version: TermsVersion,
    scope: QuerySet[Organisation],
    as_of: dt.date,
    *,
    group_by: str | None = None,
    forms: list[str] | None = None,
) -> list[Figure]:
    """Signed of required, as of the end of ``as_of``: one row, or one row per group."""
    queryset = required_organisations(version, scope, as_of)
    if forms:
        queryset = queryset.filter(form__in=forms)
    queryset = with_signed_flag(queryset, version, as_of)
    aggregates = {"total": Count("pk"), "signed": Count("pk", filter=Q(has_signed=True))}
    if group_by is None:
        row = queryset.aggregate(**aggregates)
        return [Figure(None, "", row["signed"], row["total"])]
    key, label = GROUPINGS[group_by]
    rows = queryset.values(key, label).annotate(**aggregates).order_by(label)
    labels = dict(OrganisationForm.choices) if group_by == "form" else {}
    return [
        Figure(row[key], str(labels.get(row[label], row[label] or "–")), row["signed"], row["total"]) for row in rows
    ]


@dataclass
class Progress:
    """Cumulative signatures per day from publication, and where the current pace leads."""

    days: list[tuple[dt.date, int]] = field(default_factory=list)
    total: int = 0
    deadline: dt.date | None = None
    pace_per_day: float = 0.0
    forecast: dt.date | None = None  # the day everyone will have signed at this pace; None: not at this pace
    pace_days: int = PACE_WINDOW_DAYS  # the days the pace is measured over: the window, or the round's age
    as_of: dt.date | None = None

    @property
    def done(self) -> bool:
        return bool(self.days) and self.days[-1][1] >= self.total

    @property
    def missing(self) -> int:
        return max(0, self.total - (self.days[-1][1] if self.days else 0))

    @property
    def no_pace_yet(self) -> bool:
        """The day of publication: nothing to measure a pace over."""
        return self.pace_days <= 0

    @property
    def warn(self) -> bool:
        """Said in bold: not everyone signed and the deadline passed, is not reached at this pace, or nobody
        signs at all (never on publication day)."""
        if self.done or (self.no_pace_yet and not self.deadline_passed):
            return False
        return self.deadline_passed or self.forecast is None or not self.on_time

    @property
    def deadline_passed(self) -> bool:
        return self.deadline is not None and self.as_of is not None and self.as_of > self.deadline

    @property
    def on_time(self) -> bool:
        return self.done or (self.forecast is not None and self.deadline is not None and self.forecast <= self.deadline)


def progress(
    version: TermsVersion, scope: QuerySet[Organisation], as_of: dt.date, *, forms: list[str] | None = None
) -> Progress:
    required = required_organisations(version, scope, as_of)
    if forms:
        required = required.filter(form__in=forms)
    total = required.count()
    per_day = dict(
        Signature.objects.filter(terms_version=version, organisation__in=required, signed_at__lt=end_of_day(as_of))
        .annotate(day=TruncDate("signed_at", tzinfo=OSLO))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    start = version.published_at.astimezone(OSLO).date() if version.published_at else min(per_day, default=as_of)
    days, running, day = [], 0, start
    while day <= as_of:
        running += per_day.get(day, 0)
        days.append((day, running))
        day += dt.timedelta(days=1)
    # The pace is measured over the last PACE_WINDOW_DAYS days, or over the days the round has run when it
    # is younger (publication day counts as day 0: no pace yet).
    pace_days = min(PACE_WINDOW_DAYS, (as_of - start).days)
    result = Progress(days=days, total=total, deadline=version.sign_by, pace_days=pace_days, as_of=as_of)
    window_start = as_of - dt.timedelta(days=max(pace_days, 0))
    recent = sum(n for d, n in per_day.items() if window_start < d <= as_of)
    if pace_days > 0:
        # Signatures on publication day count too when the round is younger than the window.
        recent += per_day.get(start, 0) if pace_days < PACE_WINDOW_DAYS else 0
        result.pace_per_day = recent / pace_days
    remaining = total - running
    if remaining <= 0:
        result.forecast = next((d for d, n in days if n >= total), as_of)
    elif result.pace_per_day > 0 and not result.deadline_passed:
        result.forecast = as_of + dt.timedelta(days=math.ceil(remaining / result.pace_per_day))
    return result


# --- services and orders (today's picture: agreements and orders keep no dated history of states) ---


@dataclass(frozen=True)
class ServiceFigure:
    key: Any
    label: str
    resigned: int  # live agreements on the service's current terms
    must_resign: int
    open_orders: int

    @property
    def agreements(self) -> int:
        return self.resigned + self.must_resign

    @property
    def percent(self) -> int:
        """Share of live agreements on current terms, rounded down like every other share here."""
        return math.floor(100 * self.resigned / self.agreements) if self.agreements else 0


def service_figures(scope: QuerySet[Organisation], *, group_by: str | None = None) -> list[ServiceFigure]:
    """Live service agreements (re-signed or still to re-sign) and open orders of the organisations in
    ``scope``: one row, or one row per county, Diginettverk or organisation form. Two queries."""
    agreements = ServiceAgreement.objects.live().filter(organisation__in=scope)
    orders = Order.objects.filter(organisation__in=scope, state__in=OPEN_STATES)
    counts = {
        "resigned": Count("pk", filter=Q(state=AgreementState.ACTIVE)),
        "must_resign": Count("pk", filter=Q(state=AgreementState.MUST_RESIGN)),
    }
    if group_by is None:
        row = agreements.aggregate(**counts)
        return [ServiceFigure(None, "", row["resigned"], row["must_resign"], orders.count())]
    key, label = (f"organisation__{part}" for part in GROUPINGS[group_by])
    rows = {r[key]: r for r in agreements.values(key, label).annotate(**counts).order_by()}
    open_orders = {r[key]: r for r in orders.values(key, label).annotate(n=Count("pk")).order_by()}
    labels = dict(OrganisationForm.choices) if group_by == "form" else {}
    figures = []
    for group in rows.keys() | open_orders.keys():
        source = rows.get(group) or open_orders[group]
        name = str(labels.get(source[label], source[label] or "–"))
        figures.append(
            ServiceFigure(
                group,
                name,
                rows.get(group, {}).get("resigned", 0),
                rows.get(group, {}).get("must_resign", 0),
                open_orders.get(group, {}).get("n", 0),
            )
        )
    return sorted(figures, key=lambda f: f.label)
