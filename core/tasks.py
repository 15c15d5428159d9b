"""Background tasks of core: thin, they load by id and call a service."""

from django_tasks import task

from core.mail import mail_deliver, mail_deliver_many


@task(queue_name="email")
def deliver_email(pk: int) -> str:
    return mail_deliver(pk)


# Ahead of the jobs that queue more (a round's invitation chunks): what is queued goes out first.
@task(queue_name="email", priority=10)
def deliver_emails(pks: list[int]) -> dict[str, int]:
    return mail_deliver_many(pks)
