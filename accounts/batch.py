"""Long staff actions in the background, never inside a request that can time out.

A screen checks every row first (all or nothing: a file with a bad row starts nothing),
then `batch_start` records the rows in a `BatchJob` and queues `accounts.tasks.batch_run`
after the commit. The task works through the rows in chunks, one transaction each: the
job row is locked, the chunk's rows are handed to the job's handler one by one, and the
counts move on in the same transaction, so progress is exactly what was committed. A run
that stops half-way (a worker killed, a deploy, a lost message) is picked up where it
stopped by `batches_resume_stalled` (beat), and a handler must be idempotent, so a row
done twice comes out once.

A handler is a function `(row: dict, job: BatchJob) -> str | tuple[str, str]`, named by
its dotted path (accounts sits below the apps that define them); it returns its word for
how the row came out ("awarded", "already_held", …), which the progress page counts,
with a note to list when the row deserves one; or raises `LeapError` with a sentence for
a row that cannot be done now.

A handler may also do a whole chunk at once, set-based, when it carries one as
`handler.for_chunk`: `(rows: list[dict], job) -> list[outcome or LeapError]`, one per row
in order. The chunk runs in one savepoint; if it raises, nothing of it stays and its rows
are done one by one by the handler itself, so the chunk path is only ever a faster way to
the same result.
"""

import datetime as dt
import logging
from importlib import import_module

from django.db import transaction
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from accounts.errors import LeapError
from accounts.jobs import job_enqueue_on_commit
from accounts.models import BatchJob, User
from accounts.services import notify

logger = logging.getLogger(__name__)

CHUNK = 100
STALLED_AFTER = dt.timedelta(minutes=10)
RUN_TASK = "accounts.tasks.batch_run"
FAILED = "failed"


def batch_start(
    *,
    kind: str,
    handler: str,
    rows: list[dict],
    created_by: User,
    label: str = "",
    scope: str = "",
    url_for=None,
) -> BatchJob:
    """Record the checked rows and queue their run after commit. `url_for(job)` gives the
    job's progress page, where its author is sent and pointed to when it finishes."""
    job = BatchJob(
        kind=kind,
        handler=handler,
        rows=rows,
        total=len(rows),
        created_by=created_by,
        label=label[:200],
        scope=scope,
    )
    job.url = url_for(job) if url_for else ""
    job.save()
    job_enqueue_on_commit(RUN_TASK, job.pk, label=f"batch {kind}")
    return job


def _handler(path: str):
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def _run_row(handler, row: dict, job: BatchJob) -> str | tuple[str, str]:
    """One row in its own savepoint: a row that fails leaves the others of its chunk."""
    try:
        with transaction.atomic():
            return handler(row=row, job=job)
    except LeapError as error:
        problem = str(error)
    except Exception:
        logger.exception("Row %s of batch job %s failed", row.get("line"), job.pk)
        problem = "it could not be done because of an error on our side, which has been logged"
    return _failed(row, job, problem)


def _run_rows(handler, rows: list[dict], job: BatchJob) -> list[str | tuple[str, str]]:
    """The chunk's outcomes: by the handler's chunk form when it has one, else (or when
    that fails) row by row."""
    for_chunk = getattr(handler, "for_chunk", None)
    if for_chunk is not None and len(rows) > 1:
        try:
            with transaction.atomic():
                outcomes = for_chunk(rows=rows, job=job)
        except Exception:
            logger.warning(
                "Batch job %s: a chunk failed as a whole; doing its rows one by one",
                job.pk,
                exc_info=True,
            )
        else:
            return [
                _failed(row, job, str(outcome)) if isinstance(outcome, LeapError) else outcome
                for row, outcome in zip(rows, outcomes, strict=True)
            ]
    return [_run_row(handler, row, job) for row in rows]


def _failed(row: dict, job: BatchJob, problem: str) -> str:
    job.failures.append({"line": row.get("line"), "problem": problem})
    return FAILED


@transaction.atomic
def batch_run_chunk(*, job_id: int) -> bool:
    """Do the next chunk of the job's rows; True while rows remain."""
    # The rows stay in the database: a chunk reads its own (a file of 10,000 rows is
    # megabytes of JSON, and reading and writing it all for every chunk was the job's cost).
    job = BatchJob.objects.select_for_update().defer("rows").filter(pk=job_id).first()
    if job is None or job.state == BatchJob.State.DONE:
        return False
    handler = _handler(job.handler)
    start = job.processed
    chunk = _rows(job, start, min(CHUNK, job.total - start))
    for row, outcome in zip(chunk, _run_rows(handler, chunk, job), strict=True):
        if isinstance(outcome, tuple):
            outcome, note = outcome
            job.notes.append({"line": row.get("line"), "note": note})
        job.outcomes[outcome] = job.outcomes.get(outcome, 0) + 1
    job.processed = start + len(chunk)
    job.progress_at = timezone.now()
    finished = job.processed >= job.total
    job.state = BatchJob.State.DONE if finished else BatchJob.State.RUNNING
    if finished:
        job.finished_at = job.progress_at
    job.save(update_fields=PROGRESS_FIELDS)
    if finished and job.created_by_id:
        _tell_author(job)
    return not finished


def _tell_author(job: BatchJob) -> None:
    failed = len(job.failures)
    notify(
        user=job.created_by,
        message=(
            f"“{job.label or job.kind}” is done: {job.total - failed} of {job.total} row(s)"
            + (f"; {failed} could not be done." if failed else ".")
        ),
        url=job.url,
    )


PROGRESS_FIELDS = [
    "processed",
    "progress_at",
    "state",
    "finished_at",
    "outcomes",
    "failures",
    "notes",
]


def _rows(job: BatchJob, start: int, count: int) -> list[dict]:
    """Rows start … start + count - 1 of the job, read out of its JSON in the database."""
    if count <= 0:
        return []
    names = {
        f"row{number}": KeyTransform(str(number), "rows") for number in range(start, start + count)
    }
    found = BatchJob.objects.filter(pk=job.pk).values(**names).get()
    return [found[f"row{number}"] for number in range(start, start + count)]


def batch_run(*, job_id: int) -> None:
    """The whole job, chunk after chunk (what the task does)."""
    while batch_run_chunk(job_id=job_id):
        pass


def batches_resume_stalled(*, now: dt.datetime | None = None) -> int:
    """Queue again every unfinished job that has not moved for `STALLED_AFTER` (its run
    was lost); returns how many."""
    now = now or timezone.now()
    stalled = list(
        BatchJob.objects.filter(
            state__in=[BatchJob.State.QUEUED, BatchJob.State.RUNNING],
            progress_at__lt=now - STALLED_AFTER,
        ).values_list("pk", flat=True)
    )
    for pk in stalled:
        # Moved on now, so the next beat does not queue it again while this run starts.
        BatchJob.objects.filter(pk=pk).update(progress_at=now)
        job_enqueue_on_commit(RUN_TASK, pk, label="batch resumed")
    return len(stalled)
