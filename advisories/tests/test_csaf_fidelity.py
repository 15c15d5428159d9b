"""Issue 19: a vendor's CSAF advisory keeps every vulnerability's CVE id, CWE, notes, product status,
remediations, references and scores; export gives them back (import → export → import is the same
advisory) and is schema-valid; CVSS 2.0/3.0/3.1/4.0 through the ``cvss`` package; a stated score that
contradicts its vector, NaN/Infinity and too deep nesting are refused with the reason."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advisories import csaf, cvss, services
from advisories.models import Advisory

PRODUCTS = [("EXS-41", "ExampleServer 4.1"), ("EXS-42", "ExampleServer 4.2"), ("EXS-43", "ExampleServer 4.3")]

RICH: dict[str, Any] = {
    "document": {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "distribution": {"tlp": {"label": "AMBER", "url": "https://www.first.org/tlp/"}},
        "lang": "en",
        "notes": [
            {"category": "summary", "text": "Two flaws in ExampleServer.", "title": "Summary"},
            {"category": "description", "text": "Details of both flaws.", "title": "Details"},
            {"category": "legal_disclaimer", "text": "Provided as is.", "title": "Terms"},
        ],
        "publisher": {"category": "vendor", "name": "Example Vendor", "namespace": "https://vendor.example.com"},
        "references": [
            {"category": "self", "summary": "This advisory", "url": "https://vendor.example.com/sa-2026-02"},
            {"category": "external", "summary": "Background", "url": "https://example.org/background"},
        ],
        "title": "ExampleServer: two flaws",
        "tracking": {
            "current_release_date": "2026-11-20T10:00:00.000Z",
            "id": "EXV-SA-2026-02",
            "initial_release_date": "2026-11-20T10:00:00.000Z",
            "revision_history": [{"date": "2026-11-20T10:00:00.000Z", "number": "1", "summary": "Initial."}],
            "status": "final",
            "version": "1",
        },
    },
    "product_tree": {"full_product_names": [{"name": name, "product_id": pid} for pid, name in PRODUCTS]},
    "vulnerabilities": [
        {
            "cve": "CVE-2026-11111",
            "cwe": {"id": "CWE-787", "name": "Out-of-bounds Write"},
            "title": "Heap overflow in the parser",
            "notes": [{"category": "description", "text": "A long header overflows a buffer.", "title": "Flaw"}],
            "product_status": {
                "fixed": ["EXS-43"],
                "known_affected": ["EXS-42"],
                "known_not_affected": ["EXS-41"],
            },
            "remediations": [
                {"category": "vendor_fix", "details": "Upgrade to 4.3.", "product_ids": ["EXS-42"]},
                {"category": "workaround", "details": "Limit header size at the proxy.", "product_ids": ["EXS-42"]},
            ],
            "references": [{"category": "external", "summary": "NVD", "url": "https://nvd.example.org/CVE-2026-11111"}],
            "scores": [
                {
                    "cvss_v3": {
                        "version": "3.0",
                        "vectorString": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                        "baseScore": 9.8,
                        "baseSeverity": "CRITICAL",
                    },
                    "products": ["EXS-42"],
                }
            ],
        },
        {
            "cve": "CVE-2026-22222",
            "notes": [{"category": "summary", "text": "Still being analysed."}],
            "product_status": {"under_investigation": ["EXS-43"]},
            "scores": [
                {
                    "cvss_v2": {"version": "2.0", "vectorString": "AV:N/AC:L/Au:N/C:P/I:N/A:N", "baseScore": 5.0},
                    "products": ["EXS-43"],
                }
            ],
        },
    ],
}


def _bytes(document: Any) -> bytes:
    return json.dumps(document).encode()


def _import(world: Any, document: Any = RICH) -> Advisory:
    return services.csaf_import(actor=world["cert_analyst"], data=_bytes(document))


def test_import_keeps_every_vulnerability(world: Any) -> None:
    advisory = _import(world)
    first, second = advisory.vulnerabilities.order_by("position")
    assert (first.cve, first.cwe_id, first.cwe_name) == ("CVE-2026-11111", "CWE-787", "Out-of-bounds Write")
    assert first.title == "Heap overflow in the parser"
    assert first.content["notes"][0]["text"] == "A long header overflows a buffer."
    assert first.product_status() == {
        "fixed": ["EXS-43"],
        "known_affected": ["EXS-42"],
        "known_not_affected": ["EXS-41"],
    }
    assert [r["category"] for r in first.remediations()] == ["vendor_fix", "workaround"]
    assert first.content["references"][0]["url"] == "https://nvd.example.org/CVE-2026-11111"
    assert second.cve == "CVE-2026-22222" and second.product_status() == {"under_investigation": ["EXS-43"]}
    assert second.content["scores"][0]["cvss_v2"]["baseScore"] == 5.0
    # CVSS 3.0 is kept (it used to be dropped), and the severity follows the best score.
    assert advisory.cvss_vector == "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert advisory.severity == "critical"


def _content(advisory: Advisory) -> dict[str, Any]:
    return {
        "fields": {
            name: getattr(advisory, name)
            for name in (
                "title",
                "summary",
                "body",
                "severity",
                "cvss_vector",
                "tlp",
                "affected_products",
                "recommended_actions",
                "references",
            )
        },
        "vulnerabilities": [
            (v.cve, v.cwe_id, v.cwe_name, v.title, v.content) for v in advisory.vulnerabilities.order_by("position")
        ],
        "notes": advisory.csaf_extra["notes"],
        "document_references": advisory.csaf_extra["references"],
        "product_tree": advisory.csaf_extra["product_tree"],
    }


def test_import_export_import_gives_the_same_advisory(world: Any) -> None:
    first = _import(world)
    exported = csaf.export(first)
    assert csaf.schema_errors(exported) == []
    assert exported["vulnerabilities"] == RICH["vulnerabilities"]
    assert exported["product_tree"] == RICH["product_tree"]
    assert exported["document"]["notes"] == RICH["document"]["notes"]
    assert exported["document"]["references"] == RICH["document"]["references"]
    second = services.csaf_import(actor=world["cert_analyst"], data=csaf.export_json(first).encode())
    assert second.pk != first.pk
    assert _content(second) == _content(first)


def test_an_edited_import_exports_the_edited_text(world: Any) -> None:
    advisory = _import(world)
    Advisory.objects.filter(pk=advisory.pk).update(body="Our own analysis.")
    advisory.refresh_from_db()
    notes = csaf.export(advisory)["document"]["notes"]
    assert {"category": "description", "title": "Description", "text": "Our own analysis."} in notes
    assert csaf.schema_errors(csaf.export(advisory)) == []


@pytest.mark.parametrize(
    ("vector", "version", "score"),
    [
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "2.0", 7.5),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.0", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", "3.1", 9.9),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 9.3),
    ],
)
def test_cvss_versions_are_parsed_and_scored(vector: str, version: str, score: float) -> None:
    scored = cvss.parse(vector)
    assert (scored.version, scored.base_score) == (version, score)


def test_a_cvss_4_vector_is_accepted_on_an_advisory_and_left_out_of_csaf_scores(world: Any) -> None:
    from advisories.tests.conftest import make_advisory

    advisory = make_advisory(
        tlp="GREEN",
        audience_all=True,
        affected_products="X 1",
        cvss_vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    )
    services.validate_content(advisory)
    document = csaf.export(advisory)
    assert csaf.schema_errors(document) == [] and "scores" not in document["vulnerabilities"][0]


@pytest.mark.parametrize(
    ("key", "stated", "reason"),
    [
        ("baseScore", 5.0, "The stated CVSS base score 5.0 contradicts its vector"),
        ("baseSeverity", "LOW", "The stated CVSS rating LOW contradicts its vector"),
    ],
)
def test_a_score_contradicting_its_vector_is_refused_with_the_reason(
    world: Any, key: str, stated: Any, reason: str
) -> None:
    document = copy.deepcopy(RICH)
    document["vulnerabilities"][0]["scores"][0]["cvss_v3"][key] = stated
    with pytest.raises(ValidationError) as info:
        _import(world, document)
    message = " ".join(info.value.messages)
    assert "CVE-2026-11111" in message and reason in message
    assert not Advisory.objects.exists()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_with_a_clear_message(world: Any, client: Any, constant: str) -> None:
    text = json.dumps(RICH).replace('"baseScore": 5.0', f'"baseScore": {constant}')
    assert constant in text
    with pytest.raises(ValidationError, match="numbers must be finite"):
        services.csaf_import(actor=world["cert_analyst"], data=text.encode())
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    response = client.post(
        reverse("advisories:import"), {"document": SimpleUploadedFile("a.json", text.encode(), "application/json")}
    )
    assert response.status_code == 400 and "numbers must be finite" in response.content.decode()
    assert not Advisory.objects.exists()


@pytest.mark.parametrize("depth", [100, 100_000])
def test_nesting_beyond_the_limit_is_refused_with_a_clear_message(world: Any, client: Any, depth: int) -> None:
    text = json.dumps(RICH)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    response = client.post(
        reverse("advisories:import"), {"document": SimpleUploadedFile("a.json", text.encode(), "application/json")}
    )
    assert response.status_code == 400 and "nested" in response.content.decode()
    assert not Advisory.objects.exists()


def test_the_advisory_page_shows_each_vulnerability(world: Any, client: Any) -> None:
    advisory = _import(world)
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    content = client.get(reverse("advisories:detail", args=[advisory.pk])).content.decode()
    for text in ("CVE-2026-11111", "CWE-787", "Known not affected", "ExampleServer 4.1", "Fixed", "Vendor fix"):
        assert text in content, text
    assert "Under investigation" in content and "CVE-2026-22222" in content
