"""Checking an agreement: the public verify page and `manage.py verify_agreement FILE`; staff export with
`manage.py export_agreement ORGNR PATH`; the audit certificate. Altered, foreign and broken files are reported as
such, never as a server error; the command exits non-zero for anything but a genuine agreement.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import AuditEvent
from lib import pades
from memberships import documents
from memberships.forms import MAX_UPLOAD_BYTES
from memberships.tests.conftest import pdf_text

VERIFY_URL = "/memberships/verify/"
GENUINE = "Ekte og uendret"
NOT_GENUINE = "Ikke en ekte og uendret avtale"


# --- documents -----------------------------------------------------------------------------------------------------


@pytest.fixture
def genuine(signatures: dict[str, Any]) -> bytes:
    return bytes(signatures["A"].signed_pdf)


def byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match, "no /ByteRange in the sealed PDF"
    start, length, second_start, second_length = (int(n) for n in match.groups())
    return start, length, second_start, second_length


def flipped(pdf: bytes, offset: int) -> bytes:
    """The same file with one byte changed (an ASCII letter stays a letter)."""
    data = bytearray(pdf)
    data[offset] = data[offset] ^ 0x01 if data[offset] not in b"\r\n" else ord(" ")
    return bytes(data)


@pytest.fixture
def altered(genuine: bytes) -> bytes:
    """One byte of the organisation number in the document's metadata, well inside the first signed range."""
    start, length, _second_start, _second_length = byte_range(genuine)
    offset = genuine.index(b"agreement:T1:") + len(b"agreement:T1:") + 2
    assert start <= offset < start + length
    return flipped(genuine, offset)


@pytest.fixture(scope="module")
def foreign_signer(tmp_path_factory: pytest.TempPathFactory) -> pades.PadesSigner:
    """Another CA with the same names as the portal's demo CA, but other keys."""
    p12, _root = pades.create_demo_ca(tmp_path_factory.mktemp("foreign-ca"), password="foreign-password")
    return pades.PadesSigner(p12, "foreign-password")


@pytest.fixture
def foreign(world: Any, terms: Any, foreign_signer: pades.PadesSigner) -> bytes:
    import datetime as dt

    unsigned = documents.agreement_pdf(
        version=terms.published,
        organisation=world.org_a,
        signer_name="Anne Admin",
        basis_text="Daglig leder i Enhetsregisteret",
        signed_at=dt.datetime.now(dt.UTC),
    )
    return foreign_signer.sign(unsigned, reason="Forfalsket avtale")


@pytest.fixture
def audit_certificate(world: Any, signatures: dict[str, Any], login: Any) -> bytes:
    response = login(world["membership_manager"]).get(
        reverse("memberships:audit_certificate", args=[signatures["A"].pk])
    )
    assert response.status_code == 200
    return response.content


# --- the public page -------------------------------------------------------------------------------------------------


def upload(client: Any, content: bytes, name: str = "avtale.pdf", content_type: str = "application/pdf") -> Any:
    return client.post(VERIFY_URL, {"document": SimpleUploadedFile(name, content, content_type=content_type)})


def test_the_verify_page_is_public(db: Any, client: Any) -> None:
    response = client.get(VERIFY_URL)

    assert response.status_code == 200
    assert 'type="file" name="document"' in response.content.decode()
    assert response.context["outcome"] is None


def test_a_genuine_agreement_is_shown_as_genuine_with_organisation_version_and_signer(
    world: Any, signatures: dict[str, Any], genuine: bytes, client: Any
) -> None:
    response = upload(client, genuine)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["outcome"].genuine is True
    assert response.context["outcome"].record.organisation == signatures["A"].organisation
    assert response.context["outcome"].record.signed_at == signatures["A"].signed_at
    assert GENUINE in page
    assert NOT_GENUINE not in page
    assert f"Ringsaker ({world.org_a.formatted_org_number})" in page
    assert "T1</dd>" in page
    assert f"Anne Admin – {signatures['A'].basis_text}" in page
    assert signatures["A"].signed_pdf_sha256 in page


@pytest.mark.parametrize(
    ("document", "reason", "explanation"),
    [
        ("altered", "modified", "Filen er endret etter at den ble signert."),
        ("foreign", "untrusted", "Filen er signert, men ikke av Medlemsportal."),
        ("unsigned", "no_signature", "Filen har ingen signatur."),
        ("truncated", None, None),
        ("garbage_with_pdf_header", "unreadable", "Vi kunne ikke lese filen som PDF."),
    ],
)
def test_a_file_that_is_not_a_genuine_agreement_is_reported_as_such(
    request: pytest.FixtureRequest, terms: Any, client: Any, document: str, reason: Any, explanation: Any
) -> None:
    content = {
        "altered": lambda: request.getfixturevalue("altered"),
        "foreign": lambda: request.getfixturevalue("foreign"),
        "unsigned": lambda: documents.terms_pdf(terms.published),
        "truncated": lambda: request.getfixturevalue("genuine")[:20_000],
        "garbage_with_pdf_header": lambda: b"%PDF-1.7\n" + os.urandom(4000),
    }[document]()

    response = upload(client, content)

    page = response.content.decode()
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.genuine is False
    assert outcome.result.ok is False
    if reason:
        assert outcome.result.reason == reason
        assert explanation in page
    assert NOT_GENUINE in page
    assert GENUINE not in page


def test_every_single_byte_flipped_in_the_signed_ranges_makes_the_file_not_genuine(genuine: bytes) -> None:
    start, length, second_start, second_length = byte_range(genuine)
    offsets = [start, start + 9, start + length // 3, start + length // 2, start + length - 1]
    offsets += [second_start, second_start + second_length // 2, second_start + second_length - 1]
    roots = documents.trust_roots()

    results = {offset: pades.verify(flipped(genuine, offset), trust_roots=roots) for offset in offsets}

    assert {offset: r.ok for offset, r in results.items()} == dict.fromkeys(offsets, False)
    assert pades.verify(genuine, trust_roots=roots).ok


def test_the_audit_certificate_is_sealed_by_the_portal_but_not_taken_for_an_agreement(
    audit_certificate: bytes, client: Any
) -> None:
    response = upload(client, audit_certificate, name="revisjonsbevis.pdf")

    assert response.status_code == 200
    assert response.context["outcome"].result.ok is True
    assert response.context["outcome"].genuine is False
    assert "Forseglet av portalen, men ikke en signert avtale vi kjenner til" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Hei, dette er ingen PDF.", "avtale.pdf", "Dette er ikke en PDF-fil."),
        (b"<html><script>alert(1)</script></html>", "avtale.html", "Dette er ikke en PDF-fil."),
        (b"", "tom.pdf", "Filen er tom."),
        (b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES, "stor.pdf", "Filen er større enn 10 MB."),
    ],
    ids=["text", "html", "empty", "over_10_mb"],
)
def test_a_bad_upload_gives_400_with_a_clear_message(
    db: Any, client: Any, content: bytes, name: str, message: str
) -> None:
    response = upload(client, content, name=name)

    assert response.status_code == 400
    assert response.context["form"].errors["document"] == [message]
    assert message in response.content.decode()
    assert response.context["outcome"] is None
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_form_sent_without_choosing_a_file_gives_400_asking_for_one(db: Any, client: Any) -> None:
    # What a browser sends: the CSRF token, and no file part for an empty file input.
    response = client.post(VERIFY_URL, {"csrfmiddlewaretoken": "token"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"document": ["Feltet er påkrevet."]}


# --- verify_agreement ------------------------------------------------------------------------------------------------


def test_verify_agreement_exits_0_for_a_genuine_agreement_and_says_whose_it_is(
    world: Any, signatures: dict[str, Any], genuine: bytes, tmp_path: Path, manage: Any
) -> None:
    path = tmp_path / "avtale.pdf"
    path.write_bytes(genuine)

    code, out, err = manage("verify_agreement", str(path))

    assert (code, err) == (0, "")
    assert "GENUINE: a valid, unaltered agreement sealed by Medlemsportal." in out
    assert f"Organisation: Ringsaker ({world.org_a.org_number})" in out
    assert re.search(r"^Agreement: .*T1$", out, re.MULTILINE), out
    assert f"Signed by: Anne Admin – {signatures['A'].basis_text}" in out
    assert f"SHA-256: {signatures['A'].signed_pdf_sha256}" in out


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("altered", "NOT GENUINE (modified)"),
        ("foreign", "NOT GENUINE (untrusted)"),
        ("unsigned", "NOT GENUINE (no_signature)"),
        ("text", "NOT GENUINE (not_pdf)"),
        ("empty", "NOT GENUINE (not_pdf)"),
        ("garbage_with_pdf_header", "NOT GENUINE (unreadable)"),
        ("audit_certificate", "NOT AN AGREEMENT: sealed by the portal, but no agreement has SHA-256"),
        ("over_10_mb", "larger than 10 MB, not an agreement"),
        ("missing", "Cannot read"),
        ("directory", "Cannot read"),
    ],
)
def test_verify_agreement_exits_non_zero_for_anything_else_and_says_why(
    request: pytest.FixtureRequest, terms: Any, tmp_path: Path, manage: Any, document: str, message: str
) -> None:
    path = tmp_path / "fil.pdf"
    contents = {
        "altered": lambda: request.getfixturevalue("altered"),
        "foreign": lambda: request.getfixturevalue("foreign"),
        "unsigned": lambda: documents.terms_pdf(terms.published),
        "text": lambda: b"Hei",
        "empty": lambda: b"",
        "garbage_with_pdf_header": lambda: b"%PDF-1.4\n" + bytes(range(256)) * 8,
        "audit_certificate": lambda: request.getfixturevalue("audit_certificate"),
        "over_10_mb": lambda: b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES,
    }
    if document in contents:
        path.write_bytes(contents[document]())
    elif document == "directory":
        path.mkdir()

    code, out, err = manage("verify_agreement", str(path))
    with pytest.raises(CommandError, match=re.escape(message)) as raised:
        call_command("verify_agreement", str(path))

    assert code == raised.value.returncode == 1
    assert message in err
    assert "GENUINE:" not in out


def test_verify_agreement_as_a_separate_process_exits_1_for_an_altered_file(altered: bytes, tmp_path: Path) -> None:
    path = tmp_path / "endret.pdf"
    path.write_bytes(altered)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test"}

    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_agreement", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
    )

    assert done.returncode == 1, done.stderr
    assert "NOT GENUINE (modified)" in done.stderr
    assert "Traceback" not in done.stderr


# --- export_agreement ------------------------------------------------------------------------------------------------


def test_export_agreement_writes_exactly_the_stored_bytes(
    world: Any, signatures: dict[str, Any], tmp_path: Path, manage: Any
) -> None:
    path = tmp_path / "eksport.pdf"
    number = world.org_a.org_number

    code, out, err = manage("export_agreement", f"{number[:3]} {number[3:6]} {number[6:]}", str(path))

    assert (code, err) == (0, "")
    assert path.read_bytes() == bytes(signatures["A"].signed_pdf)
    assert signatures["A"].signed_pdf_sha256 in out
    assert manage("verify_agreement", str(path))[0] == 0


@pytest.mark.parametrize(
    ("org_number", "label", "message"),
    [
        ("123", None, "'123'"),
        ("abcdefghi", None, "'abcdefghi'"),
        ("812345670", None, None),  # checksum wrong
        ("974760673", None, "No signed agreement for 974760673."),  # valid, not in the register
        ("enterprise_b", None, "No signed agreement for"),  # registered, never signed
        ("org_a", "T9", "and version T9"),
    ],
)
def test_export_agreement_fails_with_a_message_for_a_bad_or_unknown_organisation_number(
    world: Any, signatures: dict[str, Any], tmp_path: Path, manage: Any, org_number: str, label: Any, message: Any
) -> None:
    number = {"enterprise_b": world.enterprise_b.org_number, "org_a": world.org_a.org_number}.get(
        org_number, org_number
    )
    path = tmp_path / "eksport.pdf"
    args = ["export_agreement", number, str(path), *(["--terms", label] if label else [])]

    code, _out, err = manage(*args)

    assert code == 1
    if message:
        assert message in err
    assert "Traceback" not in err
    assert not path.exists()
    with pytest.raises(CommandError):
        call_command(*args)


def test_export_agreement_reports_a_path_it_cannot_write(
    world: Any, signatures: dict[str, Any], tmp_path: Path, manage: Any
) -> None:
    code, _out, err = manage("export_agreement", world.org_a.org_number, str(tmp_path))

    assert code == 1
    assert f"Cannot write {tmp_path}" in err


# --- the audit certificate -------------------------------------------------------------------------------------------


def test_the_audit_certificate_is_sealed_and_lists_the_signing_event_with_its_hash(
    world: Any, signatures: dict[str, Any], audit_certificate: bytes, tmp_path: Path
) -> None:
    result = pades.verify(audit_certificate, trust_roots=documents.trust_roots())
    assert result.ok, result
    signed = AuditEvent.objects.get(action="agreement.signed", organisation_id=world.org_a.pk)
    transition = AuditEvent.objects.get(action="membership.transition", organisation_id=world.org_a.pk)

    text = pdf_text(audit_certificate, tmp_path)
    hashes = hash_column(audit_certificate, tmp_path)

    assert "Revisjonsbevis – Ringsaker – vilkårsversjon T1" in " ".join(text.split())
    assert "agreement.signed" in text
    assert hashes == signed.hash + transition.hash  # the table lists exactly A's two events, in order
    assert signatures["A"].signed_pdf_sha256 in "".join(text.split())
    other = AuditEvent.objects.get(action="agreement.signed", organisation_id=world.org_b.pk)
    assert other.hash not in hashes  # only this organisation's events


def hash_column(pdf: bytes, directory: Path) -> str:
    """The last column of the certificate's table, read with pdftotext -layout: a 64-digit hash wraps over
    several lines of its cell, so the hex pieces at the ends of lines are joined in order."""
    path = directory / "certificate.pdf"
    path.write_bytes(pdf)
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    lines = layout.splitlines()
    header = next(i for i, line in enumerate(lines) if "Hendelseshash" in line)
    column = lines[header].index("Hendelseshash")
    pieces = []
    for line in lines[header + 1 :]:
        tokens = line[column - 2 :].split()
        if tokens and re.fullmatch(r"[0-9a-f]{1,64}", tokens[-1]):
            pieces.append(tokens[-1])
    return "".join(pieces)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("membership_manager", 200), ("customer_centre", 200), ("cert_analyst", 403), ("admin_a", 403), ("admin_b", 404)],
)
def test_only_nhn_staff_who_handle_agreements_download_the_audit_certificate(
    world: Any, signatures: dict[str, Any], login: Any, persona: str, status: int
) -> None:
    response = login(world[persona]).get(reverse("memberships:audit_certificate", args=[signatures["A"].pk]))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="revisjonsbevis-{world.org_a.org_number}-T1.pdf"'
        )
