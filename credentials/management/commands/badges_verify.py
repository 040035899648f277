from django.core.management.base import BaseCommand, CommandError

from credentials.openbadges.check import badges_check


class Command(BaseCommand):
    help = (
        "Check that every badge still verifies (hosted JSON, images in storage, baked "
        "images, issuers' signing keys). Read-only; run it after restoring a backup. Exits "
        "with an error listing the problems when any badge would not verify."
    )

    def handle(self, *args, **options):
        result = badges_check()
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(
                f"{len(result.problems)} problem(s) found in {result.checked} badge(s)."
            )
        self.stdout.write(f"{result.checked} badge(s) checked: every one verifies.")
