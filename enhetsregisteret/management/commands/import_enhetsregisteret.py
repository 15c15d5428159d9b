"""manage.py import_enhetsregisteret PATH: stream the register's bulk file into the member registry."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from enhetsregisteret.importer import DEFAULT_BATCH_SIZE, ImportFileError, import_file


class Command(BaseCommand):
    help = (
        "Import enheter_alle.json.gz (or .json) from Enhetsregisteret: municipalities, county authorities, "
        "current members and the units the membership rules select. Resumes a killed import of the same file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--force", action="store_true", help="Import a file again that was imported in full.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        bar = None
        if not options["quiet"] and options["verbosity"] > 0:
            bar = tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name, file=self.stderr._out)
        try:
            report = import_file(
                path, batch_size=options["batch_size"], force=options["force"], progress=bar.update if bar else None
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        if report.already_done:
            self.stdout.write(
                f"{path.name} was imported in full before ({report.units} units). Use --force to import it again."
            )
            return
        resumed = f" (resumed after unit {report.resumed_from})" if report.resumed_from else ""
        self.stdout.write(
            f"Read {report.units} units{resumed}: {report.created} organisations created, {report.updated} updated, "
            f"{report.follow_ups} members flagged for follow-up, {report.skipped} records without a valid "
            f"organisation number skipped."
        )
