from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from advisories import csaf, services


class Command(BaseCommand):
    help = (
        "Import a CSAF 2.0 document (JSON) as an advisory draft. An invalid document is rejected with the "
        "reason and a non-zero exit; nothing is stored."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            if path.stat().st_size > csaf.MAX_DOCUMENT_BYTES:
                raise CommandError(f"{path}: larger than {csaf.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            advisory = services.csaf_import(actor=None, data=data)
        except ValidationError as exc:
            raise CommandError(f"{path}: " + " ".join(exc.messages)) from None
        self.stdout.write(f"Imported {advisory.tracking_id} as draft {advisory.pk}: {advisory.title}")
