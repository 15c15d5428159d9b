"""manage.py sync_enhetsregisteret: apply Enhetsregisteret's update feed from the stored cursor."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enhetsregisteret.client import Client, RegisterError
from enhetsregisteret.feed import sync, sync_roles
from enhetsregisteret.models import FeedCursor


class Command(BaseCommand):
    help = "Apply the update feed /oppdateringer/enheter (new, changed, deleted and removed units)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=100, help="Events per page (default 100).")
        parser.add_argument("--max-pages", type=int, default=None, help="Stop after this many pages.")
        parser.add_argument(
            "--start-after", type=int, default=None, help="Set the cursor (last applied oppdateringsid) first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["size"] <= 10_000:
            raise CommandError("--size must be between 1 and 10000.")
        if options["start_after"] is not None:
            if options["start_after"] < 0:
                raise CommandError("--start-after cannot be negative.")
            FeedCursor.objects.update_or_create(feed="enheter", defaults={"last_update_id": options["start_after"]})
        try:
            report = sync(Client(), size=options["size"], max_pages=options["max_pages"])
            roles_marked = sync_roles(Client(), size=options["size"], max_pages=options["max_pages"])
        except RegisterError as exc:
            raise CommandError(f"Enhetsregisteret: {exc}") from None
        for warning in report.warnings:
            self.stderr.write(f"WARNING: {warning}")
        self.stdout.write(
            f"Applied {report.pages} pages ({report.events} events, {report.applied} relevant): "
            f"{report.created} organisations created, {report.updated} updated, {report.follow_ups} members "
            f"flagged for follow-up. Last oppdateringsid: {report.last_update_id}. "
            f"Roles changed for {roles_marked} organisations (read again before their next signing)."
        )
