"""The current sign-in code of the demo's staff accounts (their shared authenticator key)."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_TOTP_SECRET, demo_code


class Command(BaseCommand):
    help = "Print the demo staff accounts' current two-factor code (valid for about 30 s)."

    def handle(self, *args, **options):
        self.stdout.write(demo_code())
        self.stderr.write(
            f"Demo staff authenticator key: {DEMO_TOTP_SECRET} (add it to an authenticator "
            "app to make codes yourself)."
        )
