"""The connection assessment: from a member's answers to a recommended connection, with the reasons in
plain words. Pure functions (no database), so every rule is tested with contrasting answers.

The deck asks municipalities to weigh bandwidth, uptime and robustness, security level and data
processing, budget and competence, and future needs. The rules below turn those answers into a type,
a bandwidth tier and a redundancy level. NHN recommends an own connection also with a cloud EPJ, so
the vendor's cloud is never the recommendation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections.choices import (
    REDUNDANCY_RANK,
    TYPE_DIRECT,
    TYPE_MUNICIPAL_NETWORK,
    TYPE_SHARED,
    Budget,
    Competence,
    DataProcessing,
    Growth,
    Redundancy,
    SecurityLevel,
    UptimeNeed,
)

# Bandwidths a line is normally delivered in (Mbit/s).
TIERS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
MBPS_PER_USER = 0.5  # record system, messages and national services for one concurrent user
MBPS_IMAGING = 100  # radiology and other imaging at one site
MBPS_VIDEO_PER_SITE = 10  # video consultations
GROWTH_FACTOR = {Growth.NONE: 1.0, Growth.MODERATE: 1.5, Growth.STRONG: 2.0}


@dataclass(frozen=True)
class Answers:
    users: int
    sites: int
    imaging: bool
    video: bool
    uptime: str
    security: str
    data_processing: str
    budget: str
    competence: str
    growth: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answers:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


@dataclass
class Recommendation:
    type_code: str
    bandwidth_mbps: int
    redundancy: str
    reasons: list[str] = field(default_factory=list)


def tier(mbps: float) -> int:
    """The smallest standard bandwidth at least ``mbps``."""
    for value in TIERS:
        if value >= mbps:
            return value
    return TIERS[-1]


def bandwidth_need(answers: Answers) -> tuple[int, list[str]]:
    need = answers.users * MBPS_PER_USER
    reasons = [
        ngettext(
            "%(users)s user needs about %(mbps)s Mbit/s for the record system, messages and national services.",
            "%(users)s users need about %(mbps)s Mbit/s for the record system, messages and national services.",
            answers.users,
        )
        % {"users": answers.users, "mbps": math.ceil(need)}
    ]
    if answers.imaging:
        need += MBPS_IMAGING
        reasons.append(_("Imaging moves large files: we add %(mbps)s Mbit/s.") % {"mbps": MBPS_IMAGING})
    if answers.video:
        need += MBPS_VIDEO_PER_SITE * answers.sites
        reasons.append(
            ngettext(
                "Video consultations at %(sites)s site add %(mbps)s Mbit/s.",
                "Video consultations at %(sites)s sites add %(mbps)s Mbit/s.",
                answers.sites,
            )
            % {"sites": answers.sites, "mbps": MBPS_VIDEO_PER_SITE * answers.sites}
        )
    factor = GROWTH_FACTOR[Growth(answers.growth)]
    if factor > 1:
        need *= factor
        reasons.append(
            _("You expect growth, so we leave room for %(percent)s %% more traffic.")
            % {"percent": round((factor - 1) * 100)}
        )
    value = tier(need)
    reasons.append(_("The nearest standard bandwidth is %(mbps)s Mbit/s.") % {"mbps": value})
    return value, reasons


def redundancy_need(answers: Answers) -> tuple[str, list[str]]:
    uptime = UptimeNeed(answers.uptime)
    if uptime == UptimeNeed.CRITICAL:
        if answers.budget == Budget.LOW:
            return Redundancy.DUAL, [
                _(
                    "Services around the clock need two lines. Two lines on diverse routes would be safest; "
                    "with a tight budget, two lines are the minimum."
                )
            ]
        return Redundancy.DIVERSE, [
            _(
                "Services around the clock need two lines on different physical routes, so one cable cut "
                "or one failed node does not stop you."
            )
        ]
    if uptime == UptimeNeed.HIGH or answers.sites >= 5:
        return Redundancy.DUAL, [
            _("A stop disrupts patient care: a second line takes over when the first fails.")
            if uptime == UptimeNeed.HIGH
            else _("Many sites depend on this line: a second line takes over when the first fails.")
        ]
    return Redundancy.SINGLE, [_("A short stop can wait, so one line is enough.")]


def connection_type(answers: Answers) -> tuple[str, list[str]]:
    reasons = []
    if answers.data_processing == DataProcessing.CLOUD:
        reasons.append(
            _(
                "Even with a cloud EPJ, NHN recommends your own connection: you keep control of uptime, "
                "troubleshooting, robustness, redundancy, capacity and emergency preparedness."
            )
        )
    small = answers.users <= 15 and answers.sites == 1 and not answers.imaging
    modest = small and answers.uptime == UptimeNeed.NORMAL and answers.security == SecurityLevel.NORMAL
    if modest and (answers.budget == Budget.LOW or answers.competence == Competence.NONE):
        reasons.append(
            _(
                "You are small and have modest needs: sharing a line with other members nearby (for "
                "example the practice you work in) is the cheapest sound choice. You keep your own membership."
            )
        )
        return TYPE_SHARED, reasons
    if answers.sites >= 3 and answers.competence == Competence.OWN and answers.security == SecurityLevel.NORMAL:
        reasons.append(
            _(
                "You have several sites and your own IT staff: connecting through the municipal or "
                "inter-municipal network uses the network you already run."
            )
        )
        return TYPE_MUNICIPAL_NETWORK, reasons
    if answers.security == SecurityLevel.HIGH:
        reasons.append(
            _("You process much health information yourselves: a direct line to NHN keeps the traffic in Helsenettet.")
        )
    else:
        reasons.append(_("A direct line to NHN gives you the backbone's uptime and NHN's troubleshooting."))
    return TYPE_DIRECT, reasons


def recommend(answers: Answers) -> Recommendation:
    type_code, type_reasons = connection_type(answers)
    bandwidth, bandwidth_reasons = bandwidth_need(answers)
    redundancy, redundancy_reasons = redundancy_need(answers)
    reasons = type_reasons + bandwidth_reasons + redundancy_reasons
    if answers.competence == Competence.NONE and type_code != TYPE_SHARED:
        reasons.append(
            _("Without technical staff of your own, ask NHN's customer centre to help you order and run the line.")
        )
    return Recommendation(type_code, bandwidth, redundancy, reasons)


@dataclass(frozen=True)
class Comparison:
    label: str
    current: str
    recommended: str
    ok: bool


def compare(recommendation: Any, connection: Any) -> list[Comparison]:
    """How the member's current connection measures up to a saved recommendation (an Assessment)."""
    return [
        Comparison(
            _("Type"),
            str(connection.connection_type),
            str(recommendation.recommended_type),
            connection.connection_type_id == recommendation.recommended_type_id,
        ),
        Comparison(
            _("Bandwidth"),
            f"{connection.bandwidth_mbps} Mbit/s",
            f"{recommendation.recommended_bandwidth_mbps} Mbit/s",
            connection.bandwidth_mbps >= recommendation.recommended_bandwidth_mbps,
        ),
        Comparison(
            _("Redundancy"),
            str(Redundancy(connection.redundancy).label),
            str(Redundancy(recommendation.recommended_redundancy).label),
            REDUNDANCY_RANK[Redundancy(connection.redundancy)]
            >= REDUNDANCY_RANK[Redundancy(recommendation.recommended_redundancy)],
        ),
    ]
