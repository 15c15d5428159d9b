from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Append the audit chain's head to a file kept outside the database (write-once storage, another "
        "machine). verify_audit_chain --anchor then detects deleted newest events. Run it from the scheduler."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"Not anchoring a broken chain: event #{report.first_bad_id}: {report.problem}")
        if report.head_id is None:
            # A new installation has no events yet: nothing to anchor, and no error every night until the first.
            # An empty chain after anchors were written means every event was deleted.
            if path.exists() and path.read_text(encoding="utf-8").strip():
                raise CommandError(f"The audit chain is empty, but {path} holds anchors: its events were deleted.")
            self.stdout.write("The audit chain is empty: nothing to anchor yet.")
            return
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{report.head_id} {report.head_hash} {timezone.now().isoformat()}\n")
        self.stdout.write(f"Anchored head #{report.head_id} {report.head_hash} in {path}")
