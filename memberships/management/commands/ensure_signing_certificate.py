from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lib.pades import SigningConfigurationError, ensure_demo_ca


class Command(BaseCommand):
    help = "Create a local demo CA and sealing certificate when none is configured (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        p12 = settings.SIGNING_PKCS12_PATH
        if p12.exists():
            self.stdout.write(f"Sealing certificate present: {p12}")
            return
        if settings.PRODUCTION:
            raise CommandError(f"No sealing certificate at {p12}: set SIGNING_PKCS12_PATH to the real one.")
        try:
            p12, root = ensure_demo_ca(p12.parent, settings.SIGNING_PKCS12_PASSWORD)
        except SigningConfigurationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Created a DEMO CA ({root}) and sealing certificate ({p12}). Not for production.")
