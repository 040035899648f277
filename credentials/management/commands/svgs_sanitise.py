"""Make every SVG image stored before Leap sanitised them passive (issuer images, badge
images and the badges baked from them, editors' images in the CMS). Safe to run again."""

from django.core.management.base import BaseCommand

from credentials.services.images import stored_svgs_sanitise


class Command(BaseCommand):
    help = "Rewrite stored SVG images so they can only draw (no scripts or outside links)."

    def handle(self, *args, **options):
        for kind, count in stored_svgs_sanitise().items():
            self.stdout.write(f"{kind.capitalize()} rewritten: {count}.")
