"""`python manage.py outbox_relay`: hand queued work whose time has come to the workers,
as beat does every minute. For when beat is down, or from cron where there is no beat;
`--every 60` keeps it going."""

import time

from django.core.management.base import BaseCommand

from accounts.outbox import outbox_relay


class Command(BaseCommand):
    help = (
        "Publish queued work that is due (its first hand-over failed, its retry has come, "
        "or its worker was lost). Safe to run beside beat: each message is claimed once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Run a pass every SECONDS until stopped (default: one pass).",
        )

    def handle(self, *args, every: int = 0, **options):
        while True:
            published = outbox_relay()
            self.stdout.write(f"Handed {published} queued job(s) to the workers.")
            if every <= 0:
                return
            time.sleep(every)
