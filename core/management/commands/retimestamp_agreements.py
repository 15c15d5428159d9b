from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.sealing import retimestamp_archive
from lib.pades import SigningConfigurationError


class Command(BaseCommand):
    help = (
        "Renew the archive timestamp of every sealed agreement whose timestamp authority's certificate expires "
        "within the margin (RETIMESTAMP_MARGIN_DAYS), and upgrade old seals without a timestamp (B-B) with their "
        "validation data and a first document timestamp. Idempotent; run it from the scheduler, e.g. monthly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--margin-days", type=int, default=None, help="default: RETIMESTAMP_MARGIN_DAYS")
        parser.add_argument("--dry-run", action="store_true", help="count what would be renewed, change nothing")

    def handle(self, *args: Any, margin_days: int | None, dry_run: bool, **options: Any) -> None:
        days = settings.RETIMESTAMP_MARGIN_DAYS if margin_days is None else margin_days
        if days < 1:
            raise CommandError("--margin-days must be at least 1.")
        try:
            report = retimestamp_archive(margin=timedelta(days=days), dry_run=dry_run)
        except SigningConfigurationError as exc:
            raise CommandError(str(exc)) from None
        for problem in report.problems:
            self.stderr.write(problem)
        verb = "would renew" if dry_run else "renewed"
        self.stdout.write(
            f"Checked {report.checked} sealed agreements: {verb} {report.renewed}, current {report.current}, "
            f"upgraded from B-B {report.upgraded}, without timestamp (B-B) {report.untimestamped}, "
            f"failing verification {report.failed}."
        )
        if report.failed:
            raise CommandError(f"{report.failed} stored agreements do not verify; see above.")
