"""Helpers shared by the memberships tests: signing a version, reading PDFs. (``run_worker`` is in the root conftest.)"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

PASSWORD = "correct-horse-battery"  # every factory user's password


def sign_version(organisation: Any, version: Any, signer: Any, *, notify: bool = False) -> Any:
    """Record a signature of ``version`` (any version, unlike conftest.sign_for) by a signatory of the org."""
    from memberships.services import Authority, describe_basis, record_signature
    from organisations.models import OrganisationRole

    grant = OrganisationRole.objects.filter(user=signer, organisation=organisation, role="signatory").first()
    if grant is None:
        grant = OrganisationRole.objects.create(
            user=signer, organisation=organisation, role="signatory", signatory_basis="signature_right"
        )
    authority = Authority(grant=grant, basis=grant.signatory_basis, text=describe_basis(grant))
    return record_signature(
        organisation=organisation, version=version, signer=signer, authority=authority, notify=notify
    )


def pdf_text(content: bytes, directory: Path) -> str:
    """The text of a PDF, as poppler's pdftotext reads it."""
    path = directory / "document.pdf"
    path.write_bytes(bytes(content))
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]
