"""`python manage.py seed_scale`: fill the database with realistic data at district and
national scale, for benchmarks (issue 16). The same `--seed` on the same day makes the
same data."""

import json
import time
from datetime import datetime
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from accounts.year_rollups import ROLLUPS, summed_afterwards
from cms.demo import base_data_ensure
from cms.scale_plan import DEFAULTS, ScalePlan, ScaleReport


def scale_modules() -> list:
    """Each app's `scale` module, in INSTALLED_APPS order (people, pages, districts and
    learning, then evidence and badges): each reads what the ones before it made."""
    return [
        import_module(f"{config.name}.scale")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "scale")
    ]


class Command(BaseCommand):
    help = (
        "Fill the database with scale data for benchmarks: districts, learners, pages, "
        "submissions with reviews, badges and book clubs, made by bulk inserts from a seed, "
        "plus the named people and pages the benchmarks use (written to var/scale.json). "
        "Everything it makes is marked `scale-`; --replace removes an earlier run's first."
    )

    def add_arguments(self, parser):
        for name, default in DEFAULTS.items():
            parser.add_argument(
                f"--{name}", type=int, default=None, help=f"How many (default {default:,})."
            )
        parser.add_argument("--seed", type=int, default=1, help="The random seed (default 1).")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply every default size, e.g. 0.001 for a quick try (default 1).",
        )
        parser.add_argument(
            "--national", action="store_true", help="Ten times every size: a national programme."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Remove earlier scale data first."
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Where to write the named fixtures (default var/scale.json).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG is off (make bench does, on its own database).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_scale fills the database with thousands of made-up people, pages and "
                "badges, and --replace deletes them; with DEBUG off, pass --allow-production "
                "if you really mean it."
            )
        started = time.perf_counter()
        plan = self._plan(options)
        modules = scale_modules()
        report = ScaleReport()
        with transaction.atomic():
            # The roll-ups that triggers keep (accounts.year_rollups) are summed once at
            # the end instead of row by row (15-30 µs a row: 5-9 s at full size).
            with summed_afterwards():
                if any(module.present() for module in modules):
                    if not options["replace"]:
                        raise CommandError(
                            "Scale data is already here (accounts, pages or districts "
                            "starting with “scale-”). Run again with --replace to remove it "
                            "and make it anew."
                        )
                    part = time.perf_counter()
                    for module in reversed(modules):
                        module.remove(report)
                    report.timed("removing", part)
                base_data_ensure()
                for module in modules:
                    part = time.perf_counter()
                    module.seed(plan, report)
                    report.timed(module.__name__.split(".")[0], part)
                part = time.perf_counter()
            report.timed("roll-ups", part)
            # PostgreSQL checks the foreign keys of every row inserted as the transaction
            # commits: a part of the time worth showing.
            part = time.perf_counter()
        report.timed("commit", part)
        if connection.vendor == "postgresql":
            # A million rows just arrived. Leave them as autovacuum would soon after: fresh
            # statistics, so the first benchmark gets the query plans a real database
            # would, and the visibility map that lets index-only scans skip the rows.
            # (VACUUM cannot run inside a transaction, as in a test: statistics only then.)
            part = time.perf_counter()
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            tables = {apps.get_model(label)._meta.db_table for label in report.counts}
            tables |= {rollup.rollup for rollup in ROLLUPS}
            with connection.cursor() as cursor:
                for table in sorted(tables):
                    cursor.execute(f"{command} {connection.ops.quote_name(table)}")
            report.timed("vacuum and analyse", part)
        total = time.perf_counter() - started
        output = options["output"] or Path(settings.VAR_DIR) / "scale.json"
        self._write(output, plan, report, total)
        self.stdout.write(report.render(total_seconds=total))
        self.stdout.write(f"Named people, pages and URLs: {output}\n")

    def _plan(self, options) -> ScalePlan:
        if options["scale"] <= 0:
            raise CommandError("--scale must be more than 0.")
        sizes = {name: options[name] for name in DEFAULTS}
        if any(size is not None and size < 0 for size in sizes.values()):
            raise CommandError("Sizes cannot be negative.")
        plan = ScalePlan.build(
            seed=options["seed"],
            now=timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time())),
            scale=options["scale"],
            national=options["national"],
            **sizes,
        )
        if plan.problems():
            raise CommandError(" ".join(plan.problems()))
        return plan

    def _write(self, output: Path, plan: ScalePlan, report: ScaleReport, total: float) -> None:
        """The named fixtures, the sizes and counts, for the benchmarks."""
        output.parent.mkdir(parents=True, exist_ok=True)
        fixtures = {
            "made_on": plan.now.date().isoformat(),
            "sizes": plan.sizes(),
            "counts": dict(sorted(report.counts.items())),
            "seconds": round(total, 1),
            **report.fixtures,
        }
        output.write_text(json.dumps(fixtures, indent=2, default=str) + "\n")
