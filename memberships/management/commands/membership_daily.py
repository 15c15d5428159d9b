from typing import Any

from django.core.management.base import BaseCommand

from core.mail import mail_enqueue_stale
from memberships import rounds


class Command(BaseCommand):
    help = (
        "The daily membership run for the scheduler: block members past a deadline, send due reminders, "
        "and re-enqueue e-mails whose delivery task was lost. Safe to run more than once a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        blocked = rounds.enforce_deadlines()
        reminded = rounds.send_reminders()
        requeued = mail_enqueue_stale()
        self.stdout.write(
            f"Blocked {blocked.suspended} memberships past their deadline; reminded {reminded.reminded} "
            f"organisations ({reminded.emails} e-mails queued); re-enqueued {requeued} waiting e-mails."
        )
