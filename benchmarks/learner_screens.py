"""Time the screens whose lists grow: a learner's dashboard, plan and transcript with many
enrolments and badges, and a reviewer's queue with many submissions. The data is made
inside a transaction that is rolled back at the end, so the database is left as it was.

    DJANGO_SETTINGS_MODULE=cms.settings.dev .venv/bin/python benchmarks/learner_screens.py \\
        --records 200 --queue 1000 --runs 50
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")


class Rollback(Exception):
    pass


def measure(client, path: str, runs: int) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    timings.sort()
    p90 = timings[max(int(len(timings) * 0.9) - 1, 0)]
    return (
        f"{path}: median {statistics.median(timings):.1f} ms, p90 {p90:.1f} ms, "
        f"{len(queries.captured_queries)} queries"
    )


def build(records: int, queue: int):
    """A learner with `records` badges, an enrolment and every page in their plan, and a
    reviewer with `queue` assigned submissions, on the demo catalogue."""
    from django.utils import timezone

    from accounts.models import User
    from cms.models import AudienceRole, MicroCredentialPage, PathwayPage
    from credentials.models import Review, Submission
    from learning import services
    from learning.models import CreditEntry, Enrolment, PlanItem

    pathway = PathwayPage.objects.live().first()
    badge = MicroCredentialPage.objects.live().first()
    if pathway is None or badge is None:
        raise SystemExit(
            "Run `python manage.py seed_demo` first: the benchmark uses its catalogue."
        )
    learner = User.objects.create_user("bench-learner@leap.example", display_name="Bench")
    services.profile_onboard(user=learner, display_name="Bench", role=AudienceRole.objects.first())
    today = timezone.localdate()
    # One enrolment per pathway is all a learner can have; the demo has few pathways.
    Enrolment.objects.create(user=learner, pathway=pathway, pathway_title=pathway.title)
    CreditEntry.objects.bulk_create(
        CreditEntry(
            user=learner,
            source="badge",
            source_key=f"badge:bench-{n}",
            page=badge,
            title=f"{badge.title} {n}",
            hours=3,
            earned_on=today - timedelta(days=n),
        )
        for n in range(records)
    )
    PlanItem.objects.bulk_create(
        PlanItem(user=learner, page=page, position=n, source="chosen")
        for n, page in enumerate([*PathwayPage.objects.live(), *MicroCredentialPage.objects.live()])
    )
    reviewer = User.objects.create_user("bench-reviewer@leap.example", display_name="Rev")
    for n in range(queue):
        someone = User.objects.create_user(f"bench-{n}@leap.example", display_name=f"L{n}")
        submission = Submission.objects.create(
            learner=someone, micro_credential=badge, state="in_review", submitted_at=timezone.now()
        )
        Review.objects.create(
            submission=submission, reviewer=reviewer, due_at=timezone.now() + timedelta(days=n % 9)
        )
    return learner, reviewer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200, help="badges for the learner")
    parser.add_argument("--queue", type=int, default=1000, help="submissions in the queue")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import transaction
    from django.test import Client

    lines = []
    try:
        with transaction.atomic():
            learner, reviewer = build(args.records, args.queue)
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(learner)
            for path in ("/dashboard/", "/my/plan/", "/my/transcript/"):
                lines.append(measure(client, path, args.runs))
            client.force_login(reviewer)
            lines.append(measure(client, "/review/", args.runs))
            raise Rollback
    except Rollback:
        pass
    print(f"{args.records} badges, {args.queue} queued submissions, {args.runs} runs each")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
