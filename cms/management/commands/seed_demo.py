"""`python manage.py seed_demo`: build (or bring back) the demo site. Safe to run again."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from cms.demo import DemoReport


class Command(BaseCommand):
    help = (
        "Create the demo site: the page tree and one account per role. Each app with a "
        "`demo` module adds its own data, in INSTALLED_APPS order. Running it again leaves "
        "editors' changes alone and resets the demo accounts' passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG is off (the demo passwords are public).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates accounts with published passwords; with DEBUG off, "
                "pass --allow-production if you really mean it."
            )
        report = DemoReport()
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                if module_has_submodule(app_config.module, "demo"):
                    import_module(f"{app_config.name}.demo").seed(report)
        self.stdout.write(report.render(site_url=settings.SITE_URL))
