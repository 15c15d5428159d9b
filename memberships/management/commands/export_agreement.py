from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from memberships.models import Signature
from organisations.validators import normalise_org_number, validate_org_number


class Command(BaseCommand):
    help = "Write an organisation's signed membership agreement (the newest, or --terms LABEL) to PATH."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_number")
        parser.add_argument("path", type=Path)
        parser.add_argument("--terms", dest="label", help="Terms version label, e.g. 2025.")

    def handle(self, *args: Any, org_number: str, path: Path, label: str | None = None, **options: Any) -> None:
        number = normalise_org_number(org_number)
        try:
            validate_org_number(number)
        except Exception as exc:  # ValidationError: its messages are the explanation
            raise CommandError(f"{org_number!r}: {' '.join(getattr(exc, 'messages', [str(exc)]))}") from None
        signatures = Signature.objects.filter(organisation__org_number=number).select_related("terms_version")
        if label:
            signatures = signatures.filter(terms_version__label=label)
        signature = signatures.order_by("-signed_at").first()
        if signature is None:
            raise CommandError(f"No signed agreement for {number}{f' and version {label}' if label else ''}.")
        try:
            path.write_bytes(bytes(signature.signed_pdf))
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from None
        self.stdout.write(
            f"Wrote the agreement {signature.terms_version.label} of {number}, signed by {signature.signer_name} "
            f"on {signature.signed_at:%Y-%m-%d %H:%M} UTC, to {path} (SHA-256 {signature.signed_pdf_sha256})."
        )
