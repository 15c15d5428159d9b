import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.scale import seed_scale


class Command(BaseCommand):
    help = (
        "Add a national-scale dataset on top of the demo (seed_demo first): health enterprises, service "
        "agreements and audit events. Idempotent: counts already reached are not added again. Refused in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=50_000)
        parser.add_argument("--agreements", type=int, default=500_000)
        parser.add_argument("--audit-events", type=int, default=1_000_000)

    def handle(self, *args: Any, enterprises: int, agreements: int, audit_events: int, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Scale data is never loaded in production (PORTAL_ENV=production).")
        if min(enterprises, agreements, audit_events) < 0:
            raise CommandError("Counts cannot be negative.")
        started = time.monotonic()
        try:
            report = seed_scale(
                enterprises=enterprises,
                agreements=agreements,
                audit_events=audit_events,
                progress=lambda message: self.stderr.write(message),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data in {time.monotonic() - started:.0f} s: {report.signatures} enterprise signatures, "
                f"{report.agreements} service agreements and {report.audit_events} audit events added."
            )
        )
