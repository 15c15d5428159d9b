"""manage.py read_register_roles: keep the roles of the organisations that must sign, so that their
signatories find them when they log in with ID-porten (enhetsregisteret.signatories)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enhetsregisteret.signatories import sweep


class Command(BaseCommand):
    help = (
        "Read Enhetsregisteret's roles of organisations that must sign and whose stored roles are missing, "
        "changed (the roles feed) or old; at most --limit per run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=2000, help="Organisations to read in this run (default 2000).")
        parser.add_argument(
            "--max-age-days", type=int, default=30, help="Read again roles older than this (default 30 days)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["limit"] <= 100_000:
            raise CommandError("--limit must be between 1 and 100000.")
        if not 1 <= options["max_age_days"] <= 3650:
            raise CommandError("--max-age-days must be between 1 and 3650.")
        report = sweep(limit=options["limit"], max_age=dt.timedelta(days=options["max_age_days"]))
        self.stdout.write(
            f"Roles read for {report.read} organisations ({report.removed} no longer in the register, "
            f"{report.failed} failed and left for the next run); {report.left} still due."
        )
        if report.failed and not report.read:
            raise CommandError("Enhetsregisteret could not be reached: no roles were read.")
