from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.audit import verify_chain


def read_anchor(path: Path) -> tuple[int, str]:
    """The last line of an anchor file written by anchor_audit_chain: "<id> <hash> <time>"."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        event_id, event_hash = lines[-1].split()[:2]
        return int(event_id), event_hash
    except (OSError, ValueError, IndexError) as exc:
        raise CommandError(f"Cannot read the anchor file {path}: {exc}") from None


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain. Exits non-zero and names the first bad event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor", type=Path, help="An anchor file from anchor_audit_chain (detects removed tail)."
        )

    def handle(self, *args: Any, anchor: Path | None = None, **options: Any) -> None:
        report = verify_chain(anchor=read_anchor(anchor) if anchor else None)
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN at event #{report.first_bad_id}: {report.problem} ({report.checked} events read)."
            )
        head = f"head #{report.head_id} {report.head_hash}" if report.head_id else "empty chain"
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events, {head}."))
