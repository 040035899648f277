"""Give every live micro-credential without an image of its own generated badge art (for
pages published before badge art existed). Safe to run again."""

from django.core.management.base import BaseCommand

from credentials.services.badge_art import badge_art_backfill


class Command(BaseCommand):
    help = "Draw badge art for live micro-credentials that have no badge image of their own."

    def handle(self, *args, **options):
        changed = badge_art_backfill()
        self.stdout.write(f"Badge art drawn for {changed} micro-credential(s).")
