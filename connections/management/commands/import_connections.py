"""manage.py import_connections PATH --actor EMAIL [--outages]: the staff CSV import, from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from connections.importer import import_connections, import_outages
from core.permissions import Action, can


class Command(BaseCommand):
    help = "Import Helsenett connections from a CSV file: all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--outages", action="store_true", help="The file holds outages, not connections.")
        parser.add_argument(
            "--actor",
            required=True,
            help="E-mail of the NHN staff member the import is recorded as (must be allowed to manage connections).",
        )

    def handle(self, *args: Any, path: Path, actor: str, outages: bool = False, **options: Any) -> None:
        user = get_user_model().objects.filter(email__iexact=actor, is_active=True).first()
        if user is None or not can(user, Action.CONNECTION_MANAGE):
            raise CommandError(f"{actor} is not an active user allowed to manage connections.")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        importer = import_outages if outages else import_connections
        result = importer(actor=user, content=content)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} error(s): nothing was imported.")
        self.stdout.write(f"Imported {len(result.created)} {'outage' if outages else 'connection'}(s).")
