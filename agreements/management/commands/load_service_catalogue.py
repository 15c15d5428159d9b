from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agreements.catalogue import load_catalogue


class Command(BaseCommand):
    help = "Create NHN's services and their first published terms where missing (idempotent; never overwrites)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            services, terms = load_catalogue()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Service catalogue: {services} services and {terms} terms versions created.")
        )
