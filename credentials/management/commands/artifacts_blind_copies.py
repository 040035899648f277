"""Make the reviewers' copy (no author, comments' authors or other metadata; no scripts) of
every evidence file stored before Leap made such copies. Safe to run again: files that
have a copy, or were found unfit for one, are left alone. Reviewers never wait for it: a
file without a copy gets one the first time a reviewer or lead opens it."""

from django.core.management.base import BaseCommand

from credentials.services.evidence import artifacts_blind_copies_make


class Command(BaseCommand):
    help = "Make reviewers' copies of evidence files stored before such copies were made."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry",
            action="store_true",
            help="Try again the files found unfit for a copy before (after a fix).",
        )

    def handle(self, *args, retry=False, **options):
        made, withheld = artifacts_blind_copies_make(retry=retry)
        self.stdout.write(f"Reviewers' copies made: {made}.")
        for artifact in withheld:
            self.stdout.write(
                f"Withheld from review: {artifact.submission.number} artifact {artifact.pk}: "
                f"{artifact.blind_problem}"
            )
        if withheld:
            self.stdout.write(f"Withheld from review (no copy could be made): {len(withheld)}.")
