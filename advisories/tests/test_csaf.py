"""CSAF 2.0 export (valid against the official schema, resolved locally) and import (validated;
an invalid document is rejected with the reason and nothing is stored; TLP v1 → TLP 2.0)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advisories import csaf, services
from advisories.choices import TLP
from advisories.models import Advisory
from advisories.tests.conftest import make_advisory

EXTERNAL = {
    "document": {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "distribution": {"tlp": {"label": "WHITE", "url": "https://www.first.org/tlp/"}},
        "lang": "en",
        "notes": [
            {"category": "summary", "text": "Remote code execution in ExampleServer.", "title": "Summary"},
            {"category": "description", "text": "A crafted request <script>x</script> runs code.", "title": "Details"},
        ],
        "publisher": {"category": "vendor", "name": "Example Vendor", "namespace": "https://vendor.example.com"},
        "references": [{"summary": "Vendor advisory", "url": "https://vendor.example.com/sa-2026-01"}],
        "title": "ExampleServer: remote code execution",
        "tracking": {
            "current_release_date": "2026-11-20T10:00:00.000Z",
            "id": "EXV-SA-2026-01",
            "initial_release_date": "2026-11-20T10:00:00.000Z",
            "revision_history": [{"date": "2026-11-20T10:00:00.000Z", "number": "1", "summary": "Initial."}],
            "status": "final",
            "version": "1",
        },
    },
    "product_tree": {
        "branches": [
            {
                "category": "vendor",
                "name": "Example Vendor",
                "branches": [
                    {
                        "category": "product_version",
                        "name": "4.2",
                        "product": {"name": "ExampleServer 4.2", "product_id": "EXS-42"},
                    }
                ],
            }
        ]
    },
    "vulnerabilities": [
        {
            "cve": "CVE-2026-12345",
            "product_status": {"known_affected": ["EXS-42"]},
            "remediations": [{"category": "vendor_fix", "details": "Upgrade to 4.3.", "product_ids": ["EXS-42"]}],
            "scores": [
                {
                    "cvss_v3": {
                        "version": "3.1",
                        "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                        "baseScore": 9.8,
                        "baseSeverity": "CRITICAL",
                    },
                    "products": ["EXS-42"],
                }
            ],
        }
    ],
}


def _bytes(document: Any) -> bytes:
    return json.dumps(document).encode()


def test_export_validates_with_cvss_and_revisions(world: Any) -> None:
    advisory = make_advisory(
        tlp=TLP.AMBER_STRICT,
        organisations=[world.org_a],
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H",
        affected_products="Meldingstjener 4.2\nMeldingstjener 4.3",
        recommended_actions="Oppdater.",
        references="https://www.nhn.no/a",
    )
    document = csaf.export(advisory)
    assert csaf.schema_errors(document) == []
    assert document["document"]["distribution"] == {
        "text": "TLP:AMBER+STRICT",
        "tlp": {"label": "AMBER", "url": "https://www.first.org/tlp/"},
    }
    score = document["vulnerabilities"][0]["scores"][0]["cvss_v3"]
    assert score["baseScore"] == 9.9 and score["baseSeverity"] == "CRITICAL"


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ],
)
def test_cvss_scores(vector: str, score: float) -> None:
    from advisories import cvss

    assert cvss.parse(vector).base_score == score


def test_the_schema_is_resolved_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network: a CVSS reference must come from advisories/schemas/first/."""
    import urllib.request

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the schema tried to fetch something")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    bad = copy.deepcopy(EXTERNAL)
    bad["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = "SEVERE"
    assert any("SEVERE" in e for e in csaf.schema_errors(bad))


def test_import_maps_tlp_v1_and_content(world: Any) -> None:
    advisory = services.csaf_import(actor=world["cert_analyst"], data=_bytes(EXTERNAL))
    assert advisory.tlp == TLP.CLEAR  # WHITE → CLEAR
    assert advisory.status == "draft" and advisory.source == "csaf_import"
    assert advisory.title == "ExampleServer: remote code execution"
    assert advisory.severity == "critical" and advisory.cvss_vector.startswith("CVSS:3.1/")
    assert advisory.product_list() == ["ExampleServer 4.2"]
    assert advisory.recommended_actions == "Upgrade to 4.3."
    assert advisory.reference_list() == ["https://vendor.example.com/sa-2026-01"]
    # The same version again is refused.
    with pytest.raises(ValidationError, match="imported already"):
        services.csaf_import(actor=world["cert_analyst"], data=_bytes(EXTERNAL))


@pytest.mark.parametrize(
    ("v1", "v2"), [("WHITE", "CLEAR"), ("GREEN", "GREEN"), ("AMBER", "AMBER"), ("RED", "RED"), (None, "")]
)
def test_tlp_mapping(world: Any, v1: str | None, v2: str) -> None:
    document = copy.deepcopy(EXTERNAL)
    document["document"]["tracking"]["id"] = f"EXV-{v1}"
    if v1 is None:
        del document["document"]["distribution"]
    else:
        document["document"]["distribution"]["tlp"]["label"] = v1
    advisory = services.csaf_import(actor=world["cert_analyst"], data=_bytes(document))
    assert advisory.tlp == v2
    if v2 == "":
        assert not advisory.tlp_known  # missing → restricted


def test_round_trip_of_our_own_export(world: Any) -> None:
    ours = make_advisory(tlp=TLP.AMBER_STRICT, organisations=[world.org_a], affected_products="X 1.0")
    data = csaf.export_json(ours).encode()
    imported = services.csaf_import(actor=world["cert_analyst"], data=data)
    assert imported.tlp == TLP.AMBER_STRICT and imported.title == ours.title


def _mutations() -> list[tuple[str, Any]]:
    def mutate(path: list[Any], value: Any = ..., delete: bool = False) -> Any:
        document = copy.deepcopy(EXTERNAL)
        target = document
        for key in path[:-1]:
            target = target[key]
        if delete:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return document

    nested: Any = {"a": 1}
    for _ in range(200):
        nested = {"a": nested}
    return [
        ("missing tracking id", mutate(["document", "tracking", "id"], delete=True)),
        ("bad TLP", mutate(["document", "distribution", "tlp", "label"], "CLEAR")),
        ("csaf 2.1", mutate(["document", "csaf_version"], "2.1")),
        ("bad cvss vector", mutate(["vulnerabilities", 0, "scores", 0, "cvss_v3", "vectorString"], "CVSS:3.1/AV:Z")),
        ("no title", mutate(["document", "title"], delete=True)),
        ("bad date", mutate(["document", "tracking", "initial_release_date"], "2026-02-30")),
        ("bad category", mutate(["document", "category"], "")),
        ("unknown product status", mutate(["vulnerabilities", 0, "product_status"], {"known_affected": []})),
        ("not an object", ["document"]),
        ("deep nesting", {**EXTERNAL, "x": nested}),
        ("no publisher", mutate(["document", "publisher"], delete=True)),
        ("bad lang", mutate(["document", "lang"], "not a language tag!")),
    ]


@pytest.mark.parametrize(("name", "document"), _mutations(), ids=[m[0] for m in _mutations()])
def test_invalid_documents_are_rejected_and_nothing_stored(world: Any, name: str, document: Any) -> None:
    from core.models import AuditEvent

    with pytest.raises(ValidationError) as info:
        services.csaf_import(actor=world["cert_analyst"], data=_bytes(document))
    assert info.value.messages[0]
    assert not Advisory.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("data", [b"{not json", "ÆØÅ".encode("latin-1"), b"x" * (csaf.MAX_DOCUMENT_BYTES + 1)])
def test_unreadable_bytes_are_rejected(world: Any, data: bytes) -> None:
    with pytest.raises(ValidationError):
        services.csaf_import(actor=world["cert_analyst"], data=data)
    assert not Advisory.objects.exists()


def test_commands(world: Any, manage: Any, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(_bytes(EXTERNAL))
    broken = copy.deepcopy(EXTERNAL)
    del broken["document"]["tracking"]["id"]
    bad.write_bytes(_bytes(broken))
    code, _out, err = manage("import_csaf", str(bad))
    assert code != 0 and "'id' is a required property" in err
    assert not Advisory.objects.exists()
    code, _out, err = manage("import_csaf", str(tmp_path / "missing.json"))
    assert code != 0
    code, _out, err = manage("import_csaf", str(good))
    assert code == 0, err
    advisory = Advisory.objects.get()
    target = tmp_path / "out.json"
    code, _out, err = manage("export_csaf", str(advisory.pk), str(target))
    assert code == 0, err
    assert csaf.schema_errors(json.loads(target.read_text())) == []
    code, _out, err = manage("export_csaf", "999999", str(target))
    assert code != 0


def test_web_upload(world: Any, client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    broken = copy.deepcopy(EXTERNAL)
    broken["document"]["csaf_version"] = "2.1"
    response = client.post(
        reverse("advisories:import"), {"document": SimpleUploadedFile("a.json", _bytes(broken), "application/json")}
    )
    assert response.status_code == 400 and "csaf_version" in response.content.decode()
    assert not Advisory.objects.exists()
    response = client.post(
        reverse("advisories:import"), {"document": SimpleUploadedFile("a.json", _bytes(EXTERNAL), "application/json")}
    )
    advisory = Advisory.objects.get()
    assert response["Location"] == advisory.get_absolute_url()
    # A member cannot upload.
    client.force_login(world["admin_a"], backend="accounts.backends.PortalBackend")
    assert client.get(reverse("advisories:import")).status_code == 403


def test_csaf_download_name_is_safe_for_an_imported_tracking_id(world: Any, client: Any) -> None:
    """An imported tracking ID is the publisher's text: it must not add parameters to Content-Disposition."""
    advisory = make_advisory(tlp="CLEAR", audience_all=True)
    Advisory.objects.filter(pk=advisory.pk).update(tracking_id='EXT-a"; filename=evil.html; x="')
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    response = client.get(reverse("advisories:csaf", args=[advisory.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ext-a___filename_evil.html__x__.json"'
