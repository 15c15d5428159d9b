"""Background tasks of memberships: thin, they load by id and call a service."""

from django_tasks import task

from memberships import rounds
from memberships.models import BulkReminder, TermsVersion


@task()
def send_invitations(version_id: int) -> int:
    """Publishing's job: the round's organisations, in chunks of a job each (rounds.start_invitations)."""
    return rounds.start_invitations(TermsVersion.objects.get(pk=version_id))


@task()
def send_invitation_chunk(version_id: int, organisation_ids: list[int], last_id: int) -> int:
    version = TermsVersion.objects.get(pk=version_id)
    return rounds.send_invitations(version, organisation_ids, last_id=last_id).invited


@task()
def send_bulk_reminder(reminder_id: int) -> int:
    return rounds.run_bulk_reminder(BulkReminder.objects.select_related("terms_version").get(pk=reminder_id)).reminded
