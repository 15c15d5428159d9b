"""Queue the reminder job for events that start within 24 hours. Run by the scheduler (hourly);
the job is idempotent, so running it often is harmless."""

from typing import Any

from django.core.management.base import BaseCommand

from events.services import event_send_reminders
from events.tasks import send_event_reminders


class Command(BaseCommand):
    help = "Queue reminders for events starting within 24 hours (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="Send in this process instead of queueing a job.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(f"{event_send_reminders()} reminder(s) queued.")
        else:
            send_event_reminders.enqueue()
            self.stdout.write("Reminder job queued.")
