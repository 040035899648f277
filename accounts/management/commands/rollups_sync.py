"""Put the roll-ups' triggers in step with the settings and sum them again where needed,
as `migrate` does after every run (accounts.year_rollups); `--rebuild` sums every one
again whatever its state, e.g. after a restore that switched triggers off."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from accounts.year_rollups import ROLLUPS


class Command(BaseCommand):
    help = "Install the roll-ups' triggers for the current settings and sum what needs it."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="sum every roll-up again")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, rebuild: bool = False, database: str = DEFAULT_DB_ALIAS, **options):
        tables = set(connections[database].introspection.table_names())
        for rollup in ROLLUPS:
            if rollup.rollup not in tables:
                self.stdout.write(f"{rollup.name}: {rollup.rollup} not migrated yet, left alone")
                continue
            summed = rollup.sync(using=database, rebuild=rebuild)
            state = "summed again" if summed else "in step"
            self.stdout.write(f"{rollup.name} ({rollup.table} into {rollup.rollup}): {state}")
