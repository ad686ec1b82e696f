"""Re-sends stuck submissions now (Celery beat does the same every minute)."""

from django.core.management.base import BaseCommand

from competition import queueing


class Command(BaseCommand):
    help = (
        "Re-sends submissions queued but never sent, queued too long, or running past the "
        "time limit. Safe at any time: nothing is scored twice."
    )

    def handle(self, *args, **options) -> None:
        counts = queueing.sweep()
        self.stdout.write(
            "re-sent: {unsent} never sent, {lost} lost in the queue, {stale} stuck running".format(
                **counts
            )
        )
