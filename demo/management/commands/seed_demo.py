from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo_data import DEMO_TOTP_SECRET
from demo.services import DEMO_PASSWORD, DemoDataError, demo_seed


class Command(BaseCommand):
    help = "Create the demo organisations and personas (idempotent). Refused in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--without-history",
            action="store_true",
            help="Publish the 2025 terms but replay no signatures (seconds instead of a minute; for tests).",
        )

    def handle(self, *args: Any, without_history: bool = False, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production (PORTAL_ENV=production).")
        if not without_history:
            self.stdout.write("Replaying the 2025 signing round: every signature gets a sealed PDF (about a minute)…")
        try:
            logins = demo_seed(history=not without_history)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("Demo data ready. DEMO ONLY – fictional people and organisations."))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.name}: {login.journey}")
        self.stdout.write(
            "NHN staff personas also need a second factor: add the demo secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app, or run `manage.py demo_totp` for the current code. "
            "Passkeys work on http://localhost:8000 (not 127.0.0.1)."
        )
