"""CSAF 2.0: export an advisory as a document valid against the official schema, and read
(validate, then map) documents published by other CERTs and vendors.

The schema and the FIRST CVSS schemas it refers to are vendored in advisories/schemas/ and resolved
through a ``referencing.Registry``: nothing is fetched at run time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7, DRAFT202012

from advisories import cvss
from advisories.choices import TLP, TLP_FROM_CSAF, TLP_TO_CSAF, Severity

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
PUBLISHER = {
    "category": "coordinator",
    "name": "Norsk helsenett SF – HelseCERT/KommuneCERT",
    "namespace": "https://www.nhn.no",
    "contact_details": "helsecert@nhn.no",
}


class CsafError(Exception):
    """A document that is not valid CSAF 2.0 (or that we cannot accept); the message says why."""


def _format_checker() -> FormatChecker:
    """jsonschema's own formats, plus a strict RFC 3339 date-time (which it checks only when an
    optional package is installed): "2026-02-30" or a date without a time is refused."""
    checker = Draft202012Validator.FORMAT_CHECKER
    checker = FormatChecker(formats=list(checker.checkers))

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if len(value) < 20 or "T" not in value.upper() or not (value.endswith(("Z", "z")) or value[-6] in "+-"):
            raise ValueError("not an RFC 3339 date-time with a time zone")
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    return checker


@cache
def validator() -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "csaf_json_schema.json").read_text(encoding="utf-8"))
    resources = []
    for name in ("cvss-v2.0", "cvss-v3.0", "cvss-v3.1"):
        contents = json.loads((SCHEMA_DIR / "first" / f"{name}.json").read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        # Registered under the URL the CSAF schema uses and under the schema's own $id (which has a
        # date suffix), so that references inside it resolve too.
        resources.append((f"https://www.first.org/cvss/{name}.json", resource))
        if contents.get("$id"):
            resources.append((contents["$id"], resource))
    registry = (
        Registry()
        .with_resources(resources)
        .with_resource(schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
    )
    return Draft202012Validator(schema, registry=registry, format_checker=_format_checker())


def schema_errors(document: Any) -> list[str]:
    """Every schema violation, as "path: message", sorted by where it is."""
    errors = sorted(validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"[:500] for error in errors]


class NonFiniteNumber(ValueError):
    """NaN, Infinity or -Infinity in a JSON text: Python's json accepts them, JSON (and PostgreSQL) do not."""


def _refuse_constant(name: str) -> Any:
    raise NonFiniteNumber(name)


def _depth(value: Any) -> int:
    """How deeply containers nest (iteratively: no recursion, however deep), stopping past MAX_DEPTH."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def load(data: bytes) -> dict[str, Any]:
    """Parse and validate a CSAF document's bytes; raise CsafError with the reason."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CsafError(_("The document is larger than %(mb)s MB.") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)})
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except NonFiniteNumber as exc:
        raise CsafError(
            _("The document contains %(value)s, which JSON does not allow: numbers must be finite.")
            % {"value": exc.args[0]}
        ) from None
    except UnicodeDecodeError:
        raise CsafError(_("The document is not UTF-8 text.")) from None
    except RecursionError:
        raise CsafError(_("The document is nested too deeply.")) from None
    except json.JSONDecodeError as exc:
        raise CsafError(_("The document is not valid JSON: %(error)s") % {"error": exc}) from None
    if _depth(document) > MAX_DEPTH:
        raise CsafError(_("The document is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})
    if not isinstance(document, dict):
        raise CsafError(_("A CSAF document is a JSON object."))
    errors = schema_errors(document)
    if errors:
        shown = "; ".join(errors[:5])
        more = len(errors) - 5
        suffix = (" " + _("(and %(n)s more)") % {"n": more}) if more > 0 else ""
        raise CsafError(_("The document does not follow the CSAF 2.0 schema: %(errors)s") % {"errors": shown} + suffix)
    return document


# --- export ------------------------------------------------------------------------------------


def _iso(value: Any) -> str:
    return (value or timezone.now()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def export(advisory: Any) -> dict[str, Any]:
    """The advisory as a CSAF 2.0 security advisory (valid against the official schema)."""
    label = TLP(advisory.tlp) if advisory.tlp_known else TLP.RED  # unknown: the most restrictive
    revisions = list(advisory.revisions.order_by("number"))
    history = [
        {"date": _iso(r.published_at), "number": str(r.number), "summary": r.change_note or _("First publication.")}
        for r in revisions
    ] or [{"date": _iso(advisory.updated_at), "number": "0", "summary": _("Draft.")}]
    extra = advisory.csaf_extra or {}
    derived = extra.get("derived", {})
    # An imported advisory gives back the publisher's notes and references as long as the text they
    # became is unchanged; once an analyst edits it, the edited text is exported instead.
    kept_notes = bool(extra.get("notes")) and derived.get("summary") == advisory.summary
    kept_notes = kept_notes and derived.get("body") == advisory.body
    if kept_notes:
        notes = [dict(note) for note in extra["notes"]]
    else:
        notes = [{"category": "summary", "title": _("Summary"), "text": advisory.summary}]
        if advisory.body.strip():
            notes.append({"category": "description", "title": _("Description"), "text": advisory.body})
    if advisory.service_list():
        notes.append(
            {"category": "other", "title": _("Affected NHN services"), "text": "\n".join(advisory.service_list())}
        )
    document: dict[str, Any] = {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "distribution": {
            "text": f"{label.label}",
            "tlp": {"label": TLP_TO_CSAF[label], "url": "https://www.first.org/tlp/"},
        },
        "lang": "nb-NO",
        "notes": notes,
        "publisher": dict(PUBLISHER),
        "title": advisory.title,
        "tracking": {
            "current_release_date": history[-1]["date"],
            "generator": {"engine": {"name": "Medlemsportal", "version": "1.0"}},
            "id": advisory.tracking_id,
            "initial_release_date": history[0]["date"],
            "revision_history": history,
            "status": "final" if advisory.is_published else "draft",
            "version": history[-1]["number"],
        },
    }
    if extra.get("references") and derived.get("references") == advisory.reference_list():
        document["references"] = [dict(reference) for reference in extra["references"]]
    elif advisory.reference_list():
        document["references"] = [
            {"category": "external", "summary": url, "url": url} for url in advisory.reference_list()
        ]
    if not advisory.is_published and document["tracking"]["version"] == "0":
        document["tracking"]["status"] = "draft"
    aggregate = {Severity.LOW: "Low", Severity.MEDIUM: "Medium", Severity.HIGH: "High", Severity.CRITICAL: "Critical"}
    document["aggregate_severity"] = {"namespace": "https://www.nhn.no", "text": aggregate.get(advisory.severity, "")}
    if not document["aggregate_severity"]["text"]:
        del document["aggregate_severity"]
    result: dict[str, Any] = {"document": document}
    stored = [v.content for v in advisory.vulnerabilities.all()] if advisory.pk else []
    if stored:
        if extra.get("product_tree"):
            result["product_tree"] = extra["product_tree"]
        result["vulnerabilities"] = stored
        return result
    products = advisory.product_list()
    if products:
        full = [{"name": name[:500], "product_id": f"CSAFPID-{i:04d}"} for i, name in enumerate(products, 1)]
        result["product_tree"] = {"full_product_names": full}
        ids = [p["product_id"] for p in full]
        vulnerability: dict[str, Any] = {
            "notes": [{"category": "summary", "title": _("Summary"), "text": advisory.summary}],
            "product_status": {"known_affected": ids},
        }
        if advisory.recommended_actions.strip():
            vulnerability["remediations"] = [
                {"category": "mitigation", "details": advisory.recommended_actions, "product_ids": ids}
            ]
        score = cvss.csaf_score(advisory.cvss_vector) if advisory.cvss_vector else None
        if score is not None:  # CVSS 4.0 has no place in CSAF 2.0
            vulnerability["scores"] = [{score[0]: score[1], "products": ids}]
        result["vulnerabilities"] = [vulnerability]
    elif advisory.recommended_actions.strip():
        document["notes"].append(
            {"category": "general", "title": _("Recommended actions"), "text": advisory.recommended_actions}
        )
    return result


def export_json(advisory: Any) -> str:
    return json.dumps(export(advisory), ensure_ascii=False, indent=2)


# --- import ------------------------------------------------------------------------------------


@dataclass
class Imported:
    """What we take from a CSAF document into an advisory draft."""

    tracking_id: str
    version: str
    publisher: str
    namespace: str
    title: str
    summary: str
    body: str
    severity: str
    cvss_vector: str
    tlp: str
    affected_products: list[str] = field(default_factory=list)
    recommended_actions: str = ""
    references: list[str] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    vulnerabilities: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # notes, references, product tree as published


def product_names(tree: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}

    def walk(branches: list[dict[str, Any]]) -> None:
        for branch in branches:
            if "product" in branch:
                names[branch["product"]["product_id"]] = branch["product"]["name"]
            walk(branch.get("branches", []))

    walk(tree.get("branches", []))
    for product in tree.get("full_product_names", []):
        names[product["product_id"]] = product["name"]
    for relationship in tree.get("relationships", []):
        product = relationship["full_product_name"]
        names[product["product_id"]] = product["name"]
    return names


SEVERITY_BY_RATING = {
    "NONE": Severity.LOW,
    "LOW": Severity.LOW,
    "MEDIUM": Severity.MEDIUM,
    "HIGH": Severity.HIGH,
    "CRITICAL": Severity.CRITICAL,
}


def _tlp(doc: dict[str, Any]) -> str:
    """TLP 2.0 from the document's v1 label, or from a TLP 2.0 label in distribution.text (as we export
    it), which is more precise; "" without a label."""
    tlp = TLP_FROM_CSAF.get(((doc.get("distribution") or {}).get("tlp") or {}).get("label", ""), "")
    text = (doc.get("distribution") or {}).get("text", "")
    if tlp == TLP.AMBER and "AMBER+STRICT" in text.upper():
        tlp = TLP.AMBER_STRICT
    return tlp


def _best_score(vulnerabilities: list[dict[str, Any]]) -> tuple[float, str]:
    """The highest CVSS base score stated for any vulnerability and its vector (CVSS 3 wins a tie), or
    (-1, "") without one. Each stated score must match its vector, else ``CsafError`` names the
    vulnerability."""
    best_score = -1.0
    vector = ""
    for number, vulnerability in enumerate(vulnerabilities, 1):
        for score in vulnerability.get("scores", []):
            for key in ("cvss_v3", "cvss_v2"):
                stated = score.get(key)
                if not stated:
                    continue
                try:
                    scored = cvss.check_stated(
                        stated["vectorString"], base_score=stated["baseScore"], base_severity=stated.get("baseSeverity")
                    )
                except ValidationError as exc:
                    raise CsafError(
                        _("Vulnerability %(number)s (%(name)s): %(reason)s")
                        % {
                            "number": number,
                            "name": vulnerability.get("cve") or vulnerability.get("title", "")[:80] or "–",
                            "reason": " ".join(exc.messages),
                        }
                    ) from None
                if scored.base_score > best_score or (scored.base_score == best_score and key == "cvss_v3"):
                    best_score, vector = scored.base_score, scored.vector
    return best_score, vector


def _severity(doc: dict[str, Any], best_score: float) -> str:
    """The document's aggregate severity when it is one of ours, else the best CVSS score's rating, else medium."""
    aggregate = (doc.get("aggregate_severity") or {}).get("text", "").strip().lower()
    if aggregate in Severity.values:
        return aggregate
    if best_score >= 0:
        return SEVERITY_BY_RATING[cvss.rating(best_score)]
    return Severity.MEDIUM


def parse(document: dict[str, Any]) -> Imported:
    """Map a schema-valid CSAF 2.0 document onto an advisory draft. TLP v1 becomes TLP 2.0; a document
    without a TLP label stays without one, which the portal treats as restricted."""
    doc = document["document"]
    tlp = _tlp(doc)
    notes = doc.get("notes", [])
    summary = next((n["text"] for n in notes if n["category"] == "summary"), "")
    body_parts = [
        (f"## {n['title']}\n\n" if n.get("title") else "") + n["text"]
        for n in notes
        if n["category"] in {"description", "details", "general", "other"}
    ]
    names = product_names(document.get("product_tree", {}))
    affected: list[str] = []
    actions: list[str] = []
    best_score, vector = _best_score(document.get("vulnerabilities", []))
    for vulnerability in document.get("vulnerabilities", []):
        status = vulnerability.get("product_status", {})
        for key in ("known_affected", "first_affected", "last_affected"):
            for pid in status.get(key, []):
                name = names.get(pid, pid)
                if name not in affected:
                    affected.append(name)
        for remediation in vulnerability.get("remediations", []):
            if remediation["details"] not in actions:
                actions.append(remediation["details"])
    summary = (summary or doc["title"])[:2000]
    body = "\n\n".join(body_parts)
    references = [r["url"] for r in doc.get("references", []) if str(r.get("url", "")).startswith("https://")]
    extra: dict[str, Any] = {
        "notes": notes,
        "references": doc.get("references", []),
        "product_tree": document.get("product_tree", {}),
        # What our fields were made from them: export gives the published notes back while these hold.
        "derived": {"summary": summary, "body": body, "references": references},
    }
    return Imported(
        tracking_id=doc["tracking"]["id"],
        version=doc["tracking"]["version"],
        publisher=doc["publisher"]["name"],
        namespace=doc["publisher"]["namespace"],
        title=doc["title"][:200],
        summary=summary,
        body=body,
        severity=_severity(doc, best_score),
        cvss_vector=vector,
        tlp=tlp,
        affected_products=affected,
        recommended_actions="\n\n".join(actions),
        references=references,
        document=document,
        vulnerabilities=list(document.get("vulnerabilities", [])),
        extra=extra,
    )


def local_tracking_id(imported: Imported) -> str:
    prefix = settings.ADVISORY_IMPORT_PREFIX
    return f"{prefix}-{imported.tracking_id}"[:64]
