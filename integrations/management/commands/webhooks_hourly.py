from typing import Any

from django.core.management.base import BaseCommand

from integrations.webhooks import deliveries_enqueue_stale


class Command(BaseCommand):
    help = (
        "For the scheduler (hourly): enqueue again webhook deliveries whose job was lost (a crash between "
        "commit and enqueue). Delivery is idempotent, so an extra job does no harm."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Enqueued {deliveries_enqueue_stale()} webhook deliveries again.")
