"""Background tasks of core: thin, they load by id and call a service."""

from django_tasks import task

from core.mail import mail_deliver


@task(queue_name="email")
def deliver_email(pk: int) -> str:
    return mail_deliver(pk)
