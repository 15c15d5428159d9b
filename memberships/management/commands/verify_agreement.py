from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from memberships import documents
from memberships.forms import MAX_UPLOAD_BYTES


class Command(BaseCommand):
    help = (
        "Is FILE a genuine, unaltered agreement (membership or services) sealed by the portal? The seal is judged "
        "at the time its timestamp proves. Exits non-zero when it is not."
    )

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
        result, record = outcome.result, outcome.record
        if outcome.genuine and record is not None:
            self.stdout.write(self.style.SUCCESS("GENUINE: a valid, unaltered agreement sealed by Medlemsportal."))
            self.stdout.write(f"Organisation: {record.organisation.name} ({record.organisation.org_number})")
            self.stdout.write(f"Agreement: {record.what}")
            self.stdout.write(f"Signed by: {record.signer_name} – {record.basis_text}")
            self.stdout.write(f"Signed at: {record.signed_at.isoformat()}")
            self.stdout.write(f"Seal: PAdES {result.level}")
            if result.timestamp_authority and result.signed_at is not None:
                self.stdout.write(f"Sealed at: {result.signed_at.isoformat()} (trusted timestamp)")
                self.stdout.write(f"Timestamp authority: {result.timestamp_authority}")
            elif result.judged_at is not None:
                self.stdout.write(
                    f"Sealed at: not timestamped (an older seal, judged at its first archive timestamp, "
                    f"{result.judged_at.isoformat()})"
                )
            else:
                self.stdout.write("Sealed at: not timestamped (an older seal, judged as of now)")
            for moment in result.archive_timestamps:
                self.stdout.write(f"Archive timestamp: {moment.isoformat()}")
            if result.evidence_valid_until is not None:
                self.stdout.write(f"Evidence renewable until: {result.evidence_valid_until.isoformat()}")
            self.stdout.write(f"SHA-256: {result.sha256}")
            return
        if result.ok:
            raise CommandError(f"NOT AN AGREEMENT: sealed by the portal, but no agreement has SHA-256 {result.sha256}.")
        raise CommandError(f"NOT GENUINE ({result.reason}): {result.detail or 'the file fails verification'}.")
