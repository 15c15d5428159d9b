"""Background tasks of advisories: thin, they call a service."""

from django_tasks import task

from advisories import services


@task()
def distribute_advisory(advisory_id: int, revision: int) -> int:
    return services.distribute(advisory_id, revision)


@task()
def remind_unacknowledged() -> int:
    return services.remind_unacknowledged()


@task()
def remind_missing_contacts() -> int:
    return services.remind_missing_contacts()
