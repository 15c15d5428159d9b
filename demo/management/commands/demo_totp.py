from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo_data import demo_totp_code


class Command(BaseCommand):
    help = "Print the current code of the demo staff personas' authenticator app (demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo authenticator does not exist in production (PORTAL_ENV=production).")
        self.stdout.write(demo_totp_code())
