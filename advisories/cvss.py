"""CVSS vectors 2.0, 3.0, 3.1 and 4.0: validated and scored by the maintained ``cvss`` package (RedHat's
reference implementation of FIRST's specifications), never by our own arithmetic.

``parse`` gives a vector's version, base score and rating; ``check_stated`` refuses a stated score (or
rating) that contradicts its vector, with the reason; ``csaf_score`` is the CSAF 2.0 ``scores`` object of
a vector (CSAF 2.0 knows CVSS 2.0 and 3.x only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cvss as cvsslib
from cvss.exceptions import CVSSError
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

VERSIONS = ("2.0", "3.0", "3.1", "4.0")


@dataclass(frozen=True)
class CvssScore:
    vector: str  # as the library writes it (metrics in the standard's order)
    version: str  # 2.0, 3.0, 3.1 or 4.0
    base_score: float
    severity: str  # NONE, LOW, MEDIUM, HIGH, CRITICAL (the CVSS rating; 2.0 has none of its own: 3.x bands)


def rating(score: float) -> str:
    """The qualitative rating of a score (CVSS 3.x/4.0 bands)."""
    if score == 0:
        return "NONE"
    if score < 4:
        return "LOW"
    if score < 7:
        return "MEDIUM"
    if score < 9:
        return "HIGH"
    return "CRITICAL"


def _object(vector: str) -> Any:
    if vector.startswith("CVSS:4.0/"):
        return cvsslib.CVSS4(vector)
    if vector.startswith(("CVSS:3.0/", "CVSS:3.1/")):
        return cvsslib.CVSS3(vector)
    if vector.startswith("CVSS:"):
        raise ValidationError(_("CVSS versions 2.0, 3.0, 3.1 and 4.0 are known; this vector names another."))
    return cvsslib.CVSS2(vector)


def parse(vector: str) -> CvssScore:
    """Validate a CVSS base vector of any known version and score it; ValidationError says what is wrong."""
    vector = (vector or "").strip()
    if not vector or len(vector) > 300 or not vector.isascii():
        raise ValidationError(_("A CVSS vector looks like CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H."))
    try:
        scored = _object(vector)
    except CVSSError as exc:
        raise ValidationError(_("This is not a valid CVSS vector: %(reason)s") % {"reason": str(exc)[:200]}) from None
    if isinstance(scored, cvsslib.CVSS4):
        version, score = "4.0", float(scored.base_score)
        clean = scored.clean_vector()
    elif isinstance(scored, cvsslib.CVSS3):
        version, score = ("3.0" if scored.minor_version == 0 else "3.1"), float(scored.base_score)
        clean = scored.clean_vector()
    else:
        version, score = "2.0", float(scored.base_score)
        clean = scored.clean_vector()
    return CvssScore(vector=clean, version=version, base_score=score, severity=rating(score))


def check_stated(vector: str, *, base_score: Any, base_severity: Any = None) -> CvssScore:
    """The vector's score, if the stated base score (and rating, when given) agree with it; otherwise
    ValidationError with the reason ("stated 9.0, the vector gives 9.8")."""
    scored = parse(vector)
    try:
        stated = float(base_score)
    except (TypeError, ValueError):
        raise ValidationError(_("The stated CVSS base score is not a number.")) from None
    if abs(stated - scored.base_score) > 0.05:
        raise ValidationError(
            _("The stated CVSS base score %(stated)s contradicts its vector %(vector)s, which gives %(computed)s.")
            % {"stated": stated, "vector": vector, "computed": scored.base_score}
        )
    if base_severity is not None and scored.version != "2.0" and str(base_severity).upper() != scored.severity:
        raise ValidationError(
            _("The stated CVSS rating %(stated)s contradicts its vector %(vector)s, which gives %(computed)s.")
            % {"stated": base_severity, "vector": vector, "computed": scored.severity}
        )
    return scored


def csaf_score(vector: str) -> tuple[str, dict[str, Any]] | None:
    """("cvss_v3" or "cvss_v2", the object CSAF 2.0 wants) for a vector; None for CVSS 4.0, which CSAF
    2.0 cannot carry."""
    scored = parse(vector)
    if scored.version == "4.0":
        return None
    data: dict[str, Any] = _object(scored.vector).as_json(minimal=True)
    if scored.version == "2.0":
        return "cvss_v2", {k: v for k, v in data.items() if k in {"version", "vectorString", "baseScore"}}
    data = {k: v for k, v in data.items() if k in {"version", "vectorString", "baseScore", "baseSeverity"}}
    data["baseSeverity"] = scored.severity
    return "cvss_v3", data


def csaf_cvss_v3(vector: str) -> dict[str, Any]:
    """The CSAF ``cvss_v3`` object of a 3.x vector (kept for callers of the old parser)."""
    result = csaf_score(vector)
    if result is None or result[0] != "cvss_v3":
        raise ValidationError(_("Not a CVSS 3.x vector."))
    return result[1]
