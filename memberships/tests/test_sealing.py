"""Evidence for decades: every agreement is sealed as PAdES B-LTA through one pipeline (core.sealing), validates in
poppler's pdfsig and in pyHanko's own PAdES-LTA validation, stays genuine ten years ahead (after the sealing
certificate expired), refuses altered copies, keeps old B-B seals valid, and has its archive timestamp renewed by
`manage.py retimestamp_agreements`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleTrustManager

from agreements.models import ServiceSigning
from core import sealing
from core.models import AuditEvent
from lib import pades
from lib.pades import tsa
from memberships.models import Signature

TEN_YEARS = dt.timedelta(days=3653)
NEEDS_PDFSIG = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) is not installed")


@pytest.fixture
def sealed(signatures: dict[str, Any]) -> bytes:
    return bytes(signatures["A"].signed_pdf)


def _write(tmp_path: Path, data: bytes, name: str = "agreement.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _pyhanko_lta(document: bytes, *, at: dt.datetime) -> Any:
    """pyHanko's own PAdES-LTA validation (ETSI EN 319 102-1 §5.6.3), offline, with revocation data required."""
    roots = list(load_certs_from_pemder([str(settings.SIGNING_TRUST_ROOT)]))
    required = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(ee_certificate_rule=required, intermediate_ca_cert_rule=required)
        ),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    reader = PdfFileReader(io.BytesIO(document))
    timing = ValidationTimingInfo(validation_time=at, best_signature_time=at, point_in_time_validation=False)
    return asyncio.run(ades_lta_validation(reader.embedded_regular_signatures[0], spec, timing_info=timing))


# --- what a seal is -------------------------------------------------------------------------------------------------


def test_a_signed_agreement_is_sealed_as_pades_b_lta_by_the_local_timestamp_authority(sealed: bytes) -> None:
    result = pades.verify(sealed, trust_roots=sealing.trust_roots())

    assert result.ok, result.detail
    assert result.level == "B-LTA"
    assert pades.DEMO_TSA_CN in result.timestamp_authority
    assert len(result.archive_timestamps) == 1
    reader = PdfFileReader(io.BytesIO(sealed))
    assert "/DSS" in reader.root, "the validation data (certificates, CRL) is embedded"
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3 and len(dss["/CRLs"]) >= 1


def test_service_signings_go_through_the_same_pipeline(world: Any, signatures: dict[str, Any]) -> None:
    from agreements import documents

    assert documents.seal is sealing.seal
    assert set(sealing.ARCHIVES) == {"memberships", "agreements"}


@NEEDS_PDFSIG
def test_pdfsig_validates_the_seal_and_sees_the_document_timestamp(tmp_path: Path, sealed: bytes) -> None:
    # pdfsig checks certificates against NSS's own store, where the demo root is not: -nocert skips only that.
    out = subprocess.run(
        ["pdfsig", "-nocert", str(_write(tmp_path, sealed))], capture_output=True, text=True, check=True
    ).stdout

    seal, timestamp = out.split("Signature #2:")
    assert "Signature Type: ETSI.CAdES.detached" in seal
    assert "Signature Validation: Signature is Valid." in seal
    # poppler 22.12 lists the RFC 3161 document timestamp, signed by the TSA, but cannot validate that type itself.
    assert f"Signer Certificate Common Name: {pades.DEMO_TSA_CN}" in timestamp


@NEEDS_PDFSIG
def test_pdfsig_sees_an_altered_seal(tmp_path: Path, sealed: bytes) -> None:
    offset = sealed.index(b"agreement:T1:") + 15
    altered = sealed[:offset] + bytes([sealed[offset] ^ 1]) + sealed[offset + 1 :]
    out = subprocess.run(["pdfsig", "-nocert", str(_write(tmp_path, altered))], capture_output=True, text=True).stdout

    assert "Signature Validation: Signature is Valid." not in out.split("Signature #2:")[0]


def test_pyhankos_own_pades_lta_validation_passes(sealed: bytes) -> None:
    outcome = _pyhanko_lta(sealed, at=dt.datetime.now(dt.UTC))

    assert type(outcome.ades_subindic).__name__ == "AdESPassed", outcome.failure_msg
    assert outcome.oldest_evidence_record_timestamp is not None


# --- ten years ahead --------------------------------------------------------------------------------------------------


def test_verify_agreement_still_accepts_it_ten_years_ahead(
    tmp_path: Path, sealed: bytes, signatures: dict[str, Any], manage: Any
) -> None:
    path = _write(tmp_path, sealed)
    seal_certificate = PdfFileReader(io.BytesIO(sealed)).embedded_regular_signatures[0].signer_cert

    with time_machine.travel(dt.datetime.now(dt.UTC) + TEN_YEARS, tick=False):
        assert seal_certificate.not_valid_after < dt.datetime.now(dt.UTC), "the sealing certificate has expired"
        code, out, err = manage("verify_agreement", str(path))

    assert code == 0, err
    assert "GENUINE" in out
    assert "Seal: PAdES B-LTA" in out
    assert f"Timestamp authority: CN={pades.DEMO_TSA_CN}" in out
    assert f"Sealed at: {signatures['A'].signed_at:%Y-%m-%d}" in out


def test_an_altered_copy_is_refused_now_and_ten_years_ahead(tmp_path: Path, sealed: bytes, manage: Any) -> None:
    offset = sealed.index(b"agreement:T1:") + 15
    altered = _write(tmp_path, sealed[:offset] + bytes([sealed[offset] ^ 1]) + sealed[offset + 1 :])

    code, _out, err = manage("verify_agreement", str(altered))
    assert code != 0 and "NOT GENUINE (modified)" in err
    with time_machine.travel(dt.datetime.now(dt.UTC) + TEN_YEARS, tick=False):
        code, _out, err = manage("verify_agreement", str(altered))
    assert code != 0 and "NOT GENUINE (modified)" in err


def test_a_change_after_the_last_timestamp_is_refused(sealed: bytes) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root["/Lang"] = generic.TextStringObject("en-GB")  # a change to the document, not evidence
    writer.update_root()
    changed = io.BytesIO()
    writer.write(changed)

    result = pades.verify(changed.getvalue(), trust_roots=sealing.trust_roots())

    assert not result.ok
    assert result.reason == "modified"


@pytest.mark.parametrize("tail", [b"x", b"\n%%EOF\n", b"% a comment\n"])
def test_bytes_appended_after_the_last_timestamp_are_refused(sealed: bytes, tail: bytes) -> None:
    result = pades.verify(sealed + tail, trust_roots=sealing.trust_roots())

    assert not result.ok
    assert result.reason in {"not_entire_file", "modified", "unreadable"}


def test_a_copy_cut_back_to_the_seal_is_still_judged_at_its_timestamp(sealed: bytes) -> None:
    """Cutting the file back to the seal's own revision leaves a B-T seal: the same timestamped seal, less evidence."""
    reader = PdfFileReader(io.BytesIO(sealed))
    embedded = reader.embedded_regular_signatures[0]
    byte_range = [int(value) for value in embedded.sig_object["/ByteRange"]]
    end = byte_range[2] + byte_range[3]

    result = pades.verify(sealed[:end], trust_roots=sealing.trust_roots())

    assert result.ok
    assert result.level == "B-T"
    assert result.signed_at == pades.verify(sealed, trust_roots=sealing.trust_roots()).signed_at


# --- old seals ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def old_bb(world: Any, signatures: dict[str, Any]) -> Signature:
    """Org B's signature as the portal stored it before timestamps: a B-B seal over the whole file."""
    signature = signatures["B"]
    from memberships import documents

    unsigned = documents.agreement_pdf(
        version=signature.terms_version,
        organisation=signature.organisation,
        signer_name=signature.signer_name,
        basis_text=signature.basis_text,
        signed_at=signature.signed_at,
    )
    old = pades.PadesSigner(settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD).sign(
        unsigned, reason="Medlemsavtale"
    )
    Signature.objects.filter(pk=signature.pk).update(signed_pdf=old, signed_pdf_sha256=hashlib.sha256(old).hexdigest())
    signature.refresh_from_db()
    return signature


def test_an_old_b_b_agreement_still_verifies(tmp_path: Path, old_bb: Signature, manage: Any) -> None:
    code, out, err = manage("verify_agreement", str(_write(tmp_path, bytes(old_bb.signed_pdf))))

    assert code == 0, err
    assert "GENUINE" in out
    assert "Seal: PAdES B-B" in out
    assert "not timestamped" in out


def test_the_verify_page_says_when_and_by_which_authority_it_was_sealed(
    client: Any, sealed: bytes, old_bb: Signature
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/memberships/verify/", {"document": SimpleUploadedFile("a.pdf", sealed, "application/pdf")})
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["outcome"].genuine
    assert pades.DEMO_TSA_CN in page

    response = client.post(
        "/memberships/verify/",
        {"document": SimpleUploadedFile("b.pdf", bytes(old_bb.signed_pdf), "application/pdf")},
    )
    assert response.context["outcome"].genuine
    assert pades.DEMO_TSA_CN not in response.content.decode()


# --- renewing the archive timestamps --------------------------------------------------------------------------------------


@pytest.fixture
def longer_lived_tsa(tmp_path: Path, settings: Any) -> Iterator[str]:
    """A rotated TSA: a new certificate from the same demo root, valid for nine years instead of six."""
    p12 = pades.issue_demo_tsa(
        settings.SIGNING_PKCS12_PATH.parent,
        settings.SIGNING_PKCS12_PASSWORD,
        p12_path=tmp_path / "tsa-2.p12",
        validity=dt.timedelta(days=9 * 365),
    )
    server = tsa.serve(p12, settings.SIGNING_PKCS12_PASSWORD)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TIMESTAMP_AUTHORITY_URL = server.url
    yield server.url
    server.shutdown()
    server.server_close()


def test_retimestamp_agreements_is_idempotent_when_nothing_is_due(signatures: dict[str, Any], manage: Any) -> None:
    before = {s.pk: bytes(s.signed_pdf) for s in Signature.objects.all()}

    code, out, err = manage("retimestamp_agreements")

    assert code == 0, err
    assert "Checked 2 sealed agreements: renewed 0, current 2" in out
    assert {s.pk: bytes(s.signed_pdf) for s in Signature.objects.all()} == before


def test_retimestamp_agreements_renews_what_expires_within_the_margin(
    tmp_path: Path, signatures: dict[str, Any], old_bb: Signature, longer_lived_tsa: str, manage: Any
) -> None:
    handed_out = bytes(signatures["A"].signed_pdf)
    margin = str(7 * 365)  # the first TSA's certificate (six years) expires within it; the new one (nine) not

    code, out, err = manage("retimestamp_agreements", "--margin-days", margin, "--dry-run")
    assert code == 0, err
    assert "would renew 1" in out
    code, out, err = manage("retimestamp_agreements", "--margin-days", margin)
    assert code == 0, err
    assert "renewed 1, current 0, upgraded from B-B 1, without timestamp (B-B) 0" in out

    renewed = bytes(Signature.objects.get(pk=signatures["A"].pk).signed_pdf)
    assert renewed.startswith(handed_out), "renewing appends evidence; the copy handed out stays a prefix"
    result = pades.verify(renewed, trust_roots=sealing.trust_roots())
    assert result.ok and len(result.archive_timestamps) == 2
    reasons = sorted(AuditEvent.objects.filter(action="agreement.retimestamped").values_list("reason", flat=True))
    assert reasons == sorted([sealing.RENEWED_REASON, sealing.UPGRADED_REASON])
    # Both the renewed archive copy and the copy the signer was given are recognised as the same agreement.
    assert sealing.verify(renewed).record is not None
    assert sealing.verify(handed_out).record is not None
    with time_machine.travel(dt.datetime.now(dt.UTC) + TEN_YEARS, tick=False):
        code, out, err = manage("verify_agreement", str(_write(tmp_path, renewed)))
    assert code == 0, err
    # pyHanko's own PAdES-LTA validation accepts the renewed chain of document timestamps.
    outcome = _pyhanko_lta(renewed, at=dt.datetime.now(dt.UTC))
    assert type(outcome.ades_subindic).__name__ == "AdESPassed", outcome.failure_msg

    code, out, err = manage("retimestamp_agreements", "--margin-days", margin)
    assert code == 0, err
    assert "renewed 0, current 2, upgraded from B-B 0" in out


def test_an_old_b_b_agreement_is_upgraded_and_outlives_its_certificate(
    tmp_path: Path, old_bb: Signature, manage: Any
) -> None:
    handed_out = bytes(old_bb.signed_pdf)
    with time_machine.travel(dt.datetime.now(dt.UTC) + TEN_YEARS, tick=False):
        code, _out, err = manage("verify_agreement", str(_write(tmp_path, handed_out, "before.pdf")))
    assert code != 0 and "NOT GENUINE" in err, "judged as of now, a B-B seal dies with its certificate"

    code, out, err = manage("retimestamp_agreements", "--dry-run")
    assert code == 0, err
    assert "upgraded from B-B 0, without timestamp (B-B) 1" in out
    assert bytes(Signature.objects.get(pk=old_bb.pk).signed_pdf) == handed_out, "a dry run changes nothing"

    code, out, err = manage("retimestamp_agreements")
    assert code == 0, err
    assert "upgraded from B-B 1, without timestamp (B-B) 0" in out
    upgraded = bytes(Signature.objects.get(pk=old_bb.pk).signed_pdf)
    assert upgraded.startswith(handed_out), "upgrading appends evidence; the copy handed out stays a prefix"
    result = pades.verify(upgraded, trust_roots=sealing.trust_roots())
    assert result.ok, result.detail
    assert (result.level, len(result.archive_timestamps)) == ("B-B", 1)
    assert result.judged_at == result.archive_timestamps[0]
    event = AuditEvent.objects.get(action="agreement.retimestamped", object_id=str(old_bb.pk))
    assert event.reason == sealing.UPGRADED_REASON
    assert event.after["sha256"] == hashlib.sha256(upgraded).hexdigest()
    assert sealing.verify(handed_out).record is not None, "the copy the signer was given is still recognised"

    with time_machine.travel(dt.datetime.now(dt.UTC) + TEN_YEARS, tick=False):
        code, out, err = manage("verify_agreement", str(_write(tmp_path, upgraded, "after.pdf")))
    assert code == 0, err
    assert "GENUINE" in out and "Seal: PAdES B-B" in out
    assert "judged at its first archive timestamp" in out

    code, out, err = manage("retimestamp_agreements")
    assert code == 0, err
    assert "upgraded from B-B 0" in out, "idempotent: an upgraded seal is current"


def test_an_upgraded_b_b_agreement_altered_afterwards_is_refused(old_bb: Signature, manage: Any) -> None:
    code, _out, err = manage("retimestamp_agreements")
    assert code == 0, err
    upgraded = bytes(Signature.objects.get(pk=old_bb.pk).signed_pdf)
    start = upgraded.index(b"Medlemsavtale") if b"Medlemsavtale" in upgraded else len(upgraded) // 3
    altered = upgraded[:start] + bytes([upgraded[start] ^ 0x01]) + upgraded[start + 1 :]

    result = pades.verify(altered, trust_roots=sealing.trust_roots())

    assert not result.ok


def test_retimestamp_agreements_refuses_to_renew_with_a_tsa_that_gains_nothing(
    signatures: dict[str, Any], manage: Any
) -> None:
    code, _out, err = manage("retimestamp_agreements", "--margin-days", str(20 * 365))

    assert code != 0
    assert "renew the timestamp authority's certificate first" in err


def test_service_signings_are_in_the_archive_too(world: Any, signatures: dict[str, Any]) -> None:
    stored = list(sealing.ARCHIVES["agreements"].stored())
    assert len(stored) == ServiceSigning.objects.count()


def test_the_verify_page_says_an_upgraded_old_seal_is_judged_at_its_archive_timestamp(
    client: Any, old_bb: Signature, manage: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    manage("retimestamp_agreements")
    upgraded = bytes(Signature.objects.get(pk=old_bb.pk).signed_pdf)

    response = client.post(
        "/memberships/verify/",
        {"document": SimpleUploadedFile("b.pdf", upgraded, "application/pdf")},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.context["outcome"].genuine
    page = response.content.decode()
    assert "first trusted timestamp" in page
    assert "checked as of today" not in page
