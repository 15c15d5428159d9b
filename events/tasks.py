"""Thin tasks: they call a service."""

from django_tasks import task

from events.services import event_send_reminders


@task()
def send_event_reminders() -> int:
    return event_send_reminders()
