"""Background tasks of the integrations: thin, they load by id and call a service."""

from django_tasks import task

from integrations.webhooks import deliver


@task()
def deliver_webhook(pk: int) -> str:
    return deliver(pk)
