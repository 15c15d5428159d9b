"""Fixtures shared by the memberships tests: the background worker, signing a version, reading PDFs."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

PASSWORD = "correct-horse-battery"  # every factory user's password


@pytest.fixture
def run_worker(django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run the queued jobs the way production does (``manage.py db_worker --batch``), until none is ready.

    Jobs enqueue further jobs when their transaction commits (an invitation queues e-mails, whose delivery is
    a job of its own), so the worker runs inside ``django_capture_on_commit_callbacks(execute=True)`` and again
    while something is ready. A job scheduled for later (a retry) waits for the clock, as in production.

    The worker calls ``close_old_connections()`` between jobs. Inside a test's transaction that would close the
    connection on PostgreSQL (autocommit is off there, which Django takes for a connection left in a bad state),
    so it is a no-op here; everything else is the real worker.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def _run() -> None:
        for _ in range(20):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                call_command("db_worker", batch=True, startup_delay=False, stdout=io.StringIO())
            if not callbacks and not DBTaskResult.objects.ready().exists():
                return
        raise AssertionError("jobs keep enqueuing ready jobs: a loop?")

    return _run


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
