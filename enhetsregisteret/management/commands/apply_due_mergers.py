"""manage.py apply_due_mergers: carry out the mergers and changes of owner whose effective date has come.

Run daily by the scheduler (after midnight, Europe/Oslo). Idempotent: a merger is carried out once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from enhetsregisteret.services import apply_due_mergers


class Command(BaseCommand):
    help = "Carry out scheduled mergers and changes of owner whose effective date is today or past."

    def handle(self, *args: Any, **options: Any) -> None:
        done, failures = apply_due_mergers()
        self.stdout.write(f"{done} merger(s) carried out.")
        if failures:
            raise CommandError("Not carried out (tried again tomorrow): " + "; ".join(failures))
