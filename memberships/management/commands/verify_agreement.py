from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from memberships import documents
from memberships.forms import MAX_UPLOAD_BYTES


class Command(BaseCommand):
    help = "Is FILE a genuine, unaltered membership agreement from the portal? Exits non-zero when it is not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            if file.stat().st_size > MAX_UPLOAD_BYTES:
                raise CommandError(f"{file}: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, not an agreement.")
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        outcome = documents.verify(content)
        result, record = outcome["result"], outcome["record"]
        if outcome["genuine"]:
            self.stdout.write(self.style.SUCCESS("GENUINE: a valid, unaltered agreement sealed by Medlemsportal."))
            self.stdout.write(f"Organisation: {record['organisation'].name} ({record['organisation'].org_number})")
            self.stdout.write(f"Agreement: {record['what']}")
            self.stdout.write(f"Signed by: {record['signer_name']} – {record['basis_text']}")
            self.stdout.write(f"Signed at: {record['signed_at'].isoformat()}")
            self.stdout.write(f"SHA-256: {result.sha256}")
            return
        if result.ok:
            raise CommandError(f"NOT AN AGREEMENT: sealed by the portal, but no agreement has SHA-256 {result.sha256}.")
        raise CommandError(f"NOT GENUINE ({result.reason}): {result.detail or 'the file fails verification'}.")
