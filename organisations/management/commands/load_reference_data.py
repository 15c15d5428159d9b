from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.reference import DATA_DIR, ReferenceDataError, load_reference_data


class Command(BaseCommand):
    help = "Load counties, municipalities and Diginettverk from the bundled reference data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", type=Path, default=DATA_DIR, help="Folder with the three CSV files.")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        try:
            report = load_reference_data(directory)
        except ReferenceDataError as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from None
        if not report.changes:
            self.stdout.write("Reference data already up to date: no changes.")
            return
        for label, count in sorted(report.created.items()):
            self.stdout.write(f"created {count} {label}")
        for label, count in sorted(report.updated.items()):
            self.stdout.write(f"updated {count} {label}")
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {report.changes} changes."))
