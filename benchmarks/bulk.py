"""The bulk award stage: N badges awarded end to end through a real Celery worker on Redis,
started the way the staff upload screen starts them (`bulk_award_start`, one CSV file per
2,000 rows, the most one upload takes), timed until every assertion exists, has its baked
image, and has its e-mail queued (the outbox row that hands it to SMTP); then the worker's
peak resident memory."""

import time
from pathlib import Path

from benchmarks.processes import BIN, Process, log, wait_for


def _recipients(count: int, domain: str) -> list[str]:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    password = make_password(None)
    emails = [f"bulk{n}@{domain}" for n in range(count)]
    User.objects.bulk_create(
        User(email=email, display_name=f"Bulk Learner {n}", password=password)
        for n, email in enumerate(emails)
    )
    return emails


def _files(emails: list[str], badge_slug: str, rows_per_file: int) -> list[bytes]:
    return [
        (
            "email,badge\n"
            + "".join(f"{email},{badge_slug}\n" for email in emails[start : start + rows_per_file])
        ).encode()
        for start in range(0, len(emails), rows_per_file)
    ]


def _worker_ready(log_file: Path) -> bool:
    return log_file.exists() and " ready." in log_file.read_text(errors="replace")


def run(*, work: Path, badges: int = 10_000, concurrency: int = 2, timeout: float = 900) -> dict:
    from django.utils import timezone

    from accounts.models import BatchJob, OutboxMessage, User
    from cms.spreadsheets import CSV_MAX_ROWS
    from credentials.models import Assertion
    from credentials.services.bulk import bulk_award_start

    sample = Assertion.objects.select_related("badge_class").order_by("pk").first()
    page = sample.badge_class.micro_credential
    staff = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    domain = f"bulk-{int(time.time())}.example"
    emails = _recipients(badges, domain)
    files = _files(emails, page.slug, CSV_MAX_ROWS)

    worker = Process(
        "celery-worker",
        [
            str(BIN / "celery"),
            "-A",
            "cms",
            "worker",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
        ],
        work=work,
    )
    try:
        wait_for(lambda: _worker_ready(worker.log_file), "the Celery worker", seconds=120)
        mine = Assertion.objects.filter(recipient__email__endswith="@" + domain)
        started_at = timezone.now()
        start = time.perf_counter()
        jobs = [
            bulk_award_start(data=data, awarded_by=staff, file_name=f"bench-{n}.csv").job
            for n, data in enumerate(files)
        ]
        checked = time.perf_counter() - start
        log(f"{badges} rows checked and queued in {len(jobs)} jobs in {checked:.1f} s")
        emails_queued = OutboxMessage.objects.filter(
            task_name="accounts.tasks.email_deliver",
            created_at__gte=started_at,
            label__contains="@" + domain,
        )
        reached: dict[str, float] = {}
        counts = {}
        last_log = 0.0
        while time.perf_counter() - start < timeout:
            counts = {
                "assertions": mine.count(),
                "baked": mine.exclude(baked_image="").count(),
                "emails_queued": emails_queued.count(),
            }
            now = time.perf_counter() - start
            for name, count in counts.items():
                if count >= badges and name not in reached:
                    reached[name] = round(now, 2)
            if len(reached) == len(counts):
                break
            if now - last_log >= 10:
                log(f"bulk award after {now:.0f} s: {counts}")
                last_log = now
            time.sleep(0.5)
        waited = time.perf_counter() - start
        elapsed = max(reached.values()) if len(reached) == len(counts) else None
        if elapsed is None:
            log(f"bulk award: not done after {timeout:.0f} s: {counts}")
        job_rows = list(
            BatchJob.objects.filter(pk__in=[job.pk for job in jobs]).values(
                "state", "processed", "outcomes", "failures"
            )
        )
        return {
            "badges": badges,
            "files": len(files),
            "rows_per_file": CSV_MAX_ROWS,
            "worker_concurrency": concurrency,
            "checked_and_queued_seconds": round(checked, 2),
            "seconds_until": reached,
            "seconds": elapsed,
            "badges_per_second": round(badges / elapsed, 1) if elapsed else None,
            # When it timed out: the badges fully done (made, baked and told) per second.
            "badges_per_second_before_timeout": (
                None if elapsed else round(min(counts.values(), default=0) / waited, 1)
            ),
            "final_counts": counts,
            "jobs": [
                {
                    "state": row["state"],
                    "processed": row["processed"],
                    "outcomes": row["outcomes"],
                    "failures": len(row["failures"]),
                }
                for row in job_rows
            ],
            "target_seconds_for_10000": 30,
            "met": bool(elapsed) and badges / elapsed >= 10_000 / 30,
            "worker_peak_rss_mb": worker.peak_rss_mb(),
            "worker_main_pid": str(worker.pid),
        }
    finally:
        worker.stop(timeout=60)
