from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lib.pades import SigningConfigurationError
from lib.pades.tsa import serve


class Command(BaseCommand):
    help = (
        "Run the local RFC 3161 timestamp authority (demo CA; development only) on the loopback address and port "
        "of TIMESTAMP_AUTHORITY_URL. `make run` starts it in the background."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=None, help="default: the port of TIMESTAMP_AUTHORITY_URL")

    def handle(self, *args: Any, port: int | None, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The local timestamp authority is for development; production names a real TSA.")
        url = urlsplit(settings.TIMESTAMP_AUTHORITY_URL or "http://127.0.0.1:8010/")
        if url.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise CommandError(f"TIMESTAMP_AUTHORITY_URL ({url.geturl()}) is not a loopback address.")
        try:
            server = serve(
                settings.TIMESTAMP_AUTHORITY_PKCS12_PATH,
                settings.SIGNING_PKCS12_PASSWORD,
                port=(url.port or 80) if port is None else port,
            )
        except SigningConfigurationError as exc:
            raise CommandError(f"{exc} Run `manage.py ensure_signing_certificate` first.") from None
        except OSError as exc:
            raise CommandError(f"Cannot listen on {url.hostname}:{url.port}: {exc.strerror}") from None
        self.stdout.write(f"Local timestamp authority listening on {server.url} (demo CA, not for production)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
