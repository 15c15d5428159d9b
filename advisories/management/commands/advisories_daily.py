from typing import Any

from django.core.management.base import BaseCommand

from advisories import services


class Command(BaseCommand):
    help = (
        "The periodic security run for the scheduler (hourly is fine): send advisories whose publish time "
        "has come, remind members that have not acknowledged a critical advisory, and remind administrators "
        "of members without a security contact. Safe to run any number of times: each notice goes once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.distribute_due()
        acks = services.remind_unacknowledged()
        contacts = services.remind_missing_contacts()
        self.stdout.write(
            f"Queued {sent} advisory e-mails, {acks} acknowledgement reminders and {contacts} reminders "
            "about missing security contacts."
        )
