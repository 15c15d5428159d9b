from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from advisories import csaf
from advisories.models import Advisory


class Command(BaseCommand):
    help = "Write an advisory as a CSAF 2.0 document (validated against the schema before it is written)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("advisory_id", type=int)
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        advisory = Advisory.objects.filter(pk=options["advisory_id"]).first()
        if advisory is None:
            raise CommandError(f"No advisory with id {options['advisory_id']}.")
        document = csaf.export(advisory)
        errors = csaf.schema_errors(document)
        if errors:
            raise CommandError("The export does not validate: " + "; ".join(errors[:5]))
        path: Path = options["path"]
        try:
            path.write_text(csaf.export_json(advisory) + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        self.stdout.write(f"Wrote {advisory.tracking_id} (TLP {advisory.tlp or 'missing'}) to {path}")
