from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lib.pades import SigningConfigurationError, ensure_demo_ca


class Command(BaseCommand):
    help = (
        "Create a local demo CA (sealing certificate, timestamp authority certificate, CRL) when none is configured, "
        "and keep its CRL fresh (development only)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        p12 = settings.SIGNING_PKCS12_PATH
        demo = not p12.exists() or (p12.parent / ".demo-ca.lock").exists()
        if p12.exists() and (settings.PRODUCTION or not demo):
            self.stdout.write(f"Sealing certificate present: {p12}")
            return
        if settings.PRODUCTION:
            raise CommandError(f"No sealing certificate at {p12}: set SIGNING_PKCS12_PATH to the real one.")
        existed = p12.exists()
        try:
            p12, root = ensure_demo_ca(p12.parent, settings.SIGNING_PKCS12_PASSWORD)
        except SigningConfigurationError as exc:
            raise CommandError(str(exc)) from None
        if existed:
            self.stdout.write(f"Demo CA present ({root}); its CRL is current.")
        else:
            self.stdout.write(f"Created a DEMO CA ({root}), sealing certificate ({p12}) and TSA. Not for production.")
