from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import DEMO_PASSWORD, DemoDataError, demo_seed


class Command(BaseCommand):
    help = "Create the demo organisations and personas (idempotent). Refused in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production (PORTAL_ENV=production).")
        try:
            logins = demo_seed()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("Demo data ready. DEMO ONLY – fictional people and organisations."))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.name}: {login.journey}")
