"""Background tasks of memberships: thin, they load by id and call a service."""

from django_tasks import task

from memberships import rounds
from memberships.models import BulkReminder, TermsVersion


@task()
def send_invitations(version_id: int) -> int:
    return rounds.send_invitations(TermsVersion.objects.get(pk=version_id)).invited


@task()
def send_bulk_reminder(reminder_id: int) -> int:
    return rounds.run_bulk_reminder(BulkReminder.objects.select_related("terms_version").get(pk=reminder_id)).reminded
