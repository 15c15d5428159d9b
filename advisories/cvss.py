"""CVSS v3.1 base vectors: validation and the base score (FIRST's specification, section 7.1)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

METRICS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "PR": {"N": 0.85, "L": 0.62, "H": 0.27},
    "UI": {"N": 0.85, "R": 0.62},
    "S": {"U": 0.0, "C": 0.0},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
VECTOR_RE = re.compile(r"^CVSS:3\.1(/[A-Z]{1,3}:[A-Z])+$")


@dataclass(frozen=True)
class CvssScore:
    vector: str
    base_score: float
    severity: str  # NONE, LOW, MEDIUM, HIGH, CRITICAL (the CVSS rating)
    metrics: dict[str, str]


def _roundup(value: float) -> float:
    integer = round(value * 100_000)
    if integer % 10_000 == 0:
        return integer / 100_000.0
    return (math.floor(integer / 10_000) + 1) / 10.0


def rating(score: float) -> str:
    if score == 0:
        return "NONE"
    if score < 4:
        return "LOW"
    if score < 7:
        return "MEDIUM"
    if score < 9:
        return "HIGH"
    return "CRITICAL"


def parse(vector: str) -> CvssScore:
    """Validate a CVSS v3.1 base vector (all eight base metrics, once each) and score it."""
    vector = (vector or "").strip()
    if not VECTOR_RE.match(vector):
        raise ValidationError(_("A CVSS vector looks like CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H."))
    metrics: dict[str, str] = {}
    for part in vector.split("/")[1:]:
        name, value = part.split(":")
        if name in metrics:
            raise ValidationError(_("The CVSS metric %(name)s appears twice.") % {"name": name})
        if name not in METRICS:
            # Temporal and environmental metrics are allowed by the standard, but we score the base only.
            if name in {"E", "RL", "RC", "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"}:
                continue
            raise ValidationError(_("Unknown CVSS metric %(name)s.") % {"name": name})
        if value not in METRICS[name]:
            raise ValidationError(
                _("%(value)s is not a valid value for the CVSS metric %(name)s.") % {"name": name, "value": value}
            )
        metrics[name] = value
    missing = [name for name in METRICS if name not in metrics]
    if missing:
        raise ValidationError(_("The CVSS vector lacks the base metrics %(names)s.") % {"names": ", ".join(missing)})
    changed = metrics["S"] == "C"
    iss = 1 - (1 - METRICS["C"][metrics["C"]]) * (1 - METRICS["I"][metrics["I"]]) * (1 - METRICS["A"][metrics["A"]])
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    pr = PR_CHANGED[metrics["PR"]] if changed else METRICS["PR"][metrics["PR"]]
    exploitability = (
        8.22 * METRICS["AV"][metrics["AV"]] * METRICS["AC"][metrics["AC"]] * pr * METRICS["UI"][metrics["UI"]]
    )
    if impact <= 0:
        score = 0.0
    elif changed:
        score = _roundup(min(1.08 * (impact + exploitability), 10))
    else:
        score = _roundup(min(impact + exploitability, 10))
    return CvssScore(vector=vector, base_score=score, severity=rating(score), metrics=metrics)


# The metric names CSAF's cvss_v3 object uses for each abbreviation and value.
CSAF_NAMES = {
    "AV": ("attackVector", {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}),
    "AC": ("attackComplexity", {"L": "LOW", "H": "HIGH"}),
    "PR": ("privilegesRequired", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "UI": ("userInteraction", {"N": "NONE", "R": "REQUIRED"}),
    "S": ("scope", {"U": "UNCHANGED", "C": "CHANGED"}),
    "C": ("confidentialityImpact", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "I": ("integrityImpact", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "A": ("availabilityImpact", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
}


def csaf_cvss_v3(vector: str) -> dict[str, object]:
    score = parse(vector)
    data: dict[str, object] = {
        "version": "3.1",
        "vectorString": score.vector,
        "baseScore": score.base_score,
        "baseSeverity": score.severity,
    }
    for abbreviation, (name, values) in CSAF_NAMES.items():
        data[name] = values[score.metrics[abbreviation]]
    return data
