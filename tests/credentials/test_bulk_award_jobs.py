"""A bulk award runs in the background in chunks (accounts.batch): a run that dies half-way
keeps what it committed, is picked up again by the beat task, and a re-upload of the same
file finishes the rest; nothing is ever awarded twice, and no request does the awarding."""

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts import batch
from accounts.models import BatchJob
from credentials.models import Assertion
from credentials.services import badges as badge_services
from credentials.services.bulk import bulk_award_check, bulk_award_start
from learning.models import CreditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROWS = 5


class WorkerKilled(BaseException):
    """Stands for the process dying: not an error a row handler can catch."""


@pytest.fixture
def people(db):
    return [UserFactory(email=f"teacher{n}@school.example") for n in range(ROWS)]


@pytest.fixture
def csv_data(people, micro_credential):
    lines = [f"{person.email},{micro_credential.slug}" for person in people]
    return ("email,badge\n" + "\n".join(lines) + "\n").encode()


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(batch, "CHUNK", 2)


@pytest.fixture
def dies_after(monkeypatch):
    """Make the award services kill the 'worker' once, in the award that would go past `n`
    awards: a chunk awarded set-based dies as a whole, a row awarded alone by itself."""

    def arm(n: int):
        calls = {"count": 0, "died": False}
        real_one = badge_services.assertion_award_or_get
        real_many = badge_services.assertions_award

        def count(more: int) -> None:
            calls["count"] += more
            if calls["count"] > n and not calls["died"]:
                calls["died"] = True
                raise WorkerKilled

        def award(**kwargs):
            count(1)
            return real_one(**kwargs)

        def award_many(**kwargs):
            count(len(kwargs["awards"]))
            return real_many(**kwargs)

        monkeypatch.setattr("credentials.services.bulk.assertion_award_or_get", award)
        monkeypatch.setattr("credentials.services.bulk.assertions_award", award_many)

    return arm


def start(data, django_capture_on_commit_callbacks, registrar):
    with django_capture_on_commit_callbacks(execute=True):
        return bulk_award_start(data=data, awarded_by=registrar, file_name="staff.csv").job


@pytest.fixture
def registrar(db):
    return UserFactory(email="registrar@district.example", display_name="Rae Registrar")


def test_a_run_killed_half_way_keeps_its_chunks_and_the_beat_finishes_it(
    csv_data, small_chunks, dies_after, registrar, django_capture_on_commit_callbacks
):
    dies_after(3)  # chunk 1 (two awards) commits; chunk 2 dies in its award
    with pytest.raises(WorkerKilled):
        start(csv_data, django_capture_on_commit_callbacks, registrar)
    job = BatchJob.objects.get()
    assert (job.state, job.processed) == ("running", 2)
    assert Assertion.objects.count() == 2  # the dying chunk's award rolled back with it

    # Not yet stalled: the beat leaves it alone; ten minutes on, it is queued again.
    assert batch.batches_resume_stalled() == 0
    later = timezone.now() + dt.timedelta(minutes=11)
    with django_capture_on_commit_callbacks(execute=True):
        assert batch.batches_resume_stalled(now=later) == 1
    job.refresh_from_db()
    assert (job.state, job.processed, job.outcomes) == ("done", ROWS, {"awarded": ROWS})
    assert Assertion.objects.count() == ROWS
    assert (
        registrar.notifications.get().message == "“Badges from staff.csv” is done: 5 of 5 row(s)."
    )


def test_uploading_the_file_again_after_a_crash_finishes_what_was_left(
    csv_data, small_chunks, dies_after, registrar, django_capture_on_commit_callbacks
):
    dies_after(2)
    with pytest.raises(WorkerKilled):
        start(csv_data, django_capture_on_commit_callbacks, registrar)
    again = start(csv_data, django_capture_on_commit_callbacks, registrar)
    again.refresh_from_db()
    assert again.outcomes == {"already_held": 2, "awarded": ROWS - 2}
    assert Assertion.objects.count() == ROWS
    assert sorted(Assertion.objects.values_list("recipient_email", flat=True)) == sorted(
        f"teacher{n}@school.example" for n in range(ROWS)
    )


def test_a_row_that_cannot_be_done_when_its_turn_comes_is_listed_and_the_rest_go_on(
    csv_data, people, small_chunks, registrar, django_capture_on_commit_callbacks
):
    # Checked while active; deactivated before the background run reaches them.
    rows, _ = bulk_award_check(csv_data)
    assert len(rows) == ROWS
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = bulk_award_start(data=csv_data, awarded_by=registrar, file_name="staff.csv").job
    people[1].is_active = False
    people[1].save()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.outcomes == {"awarded": ROWS - 1, "failed": 1}
    assert job.failures == [
        {"line": 3, "problem": "Line 3: the account no longer exists or is deactivated."}
    ]
    assert registrar.notifications.get().message.endswith("; 1 could not be done.")


def test_the_progress_page_is_for_those_who_may_award(client, csv_data, registrar):
    job = bulk_award_start(data=csv_data, awarded_by=registrar, file_name="staff.csv").job
    url = f"/admin/issued_badges/award-from-csv/{job.uuid}/"
    viewer = UserFactory()
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_assertion"),
    )
    client.force_login(viewer)
    assert client.get(url).status_code in (302, 403)
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(url).content.decode()
    assert "0 of 5 rows done (0%)" in page and 'http-equiv="refresh"' in page
    assert client.get(f"/admin/issued_badges/award-from-csv/{uuid.uuid4()}/").status_code == 404


def test_a_job_works_out_its_badge_once_not_once_per_row(
    csv_data, people, registrar, monkeypatch, django_capture_on_commit_callbacks
):
    from credentials.services import bulk

    made = []
    real = bulk.badge_class_for_micro_credential

    def counted(**kwargs):
        made.append(kwargs["recipient"].pk)
        return real(**kwargs)

    monkeypatch.setattr(bulk, "badge_class_for_micro_credential", counted)
    start(csv_data, django_capture_on_commit_callbacks, registrar)
    held = Assertion.objects.filter(recipient__in=people)
    assert held.count() == ROWS
    assert len(made) == 1
    assert len({assertion.badge_class_id for assertion in held}) == 1


def test_a_chunk_reads_its_own_rows_and_writes_back_only_its_progress(
    csv_data, people, registrar, small_chunks, monkeypatch, django_capture_on_commit_callbacks
):
    """A file of thousands of rows is megabytes of JSON: no chunk reads or writes it all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(batch, "batch_run", lambda **kwargs: None)  # chunks run by hand here
    job = start(csv_data, django_capture_on_commit_callbacks, registrar)
    runs = []
    while True:
        with CaptureQueriesContext(connection) as captured:
            more = batch.batch_run_chunk(job_id=job.pk)
        runs.append([query["sql"] for query in captured])
        if not more:
            break
    assert len(runs) == 3  # 5 rows, 2 a chunk
    for queries in runs:
        job_writes = [sql for sql in queries if sql.startswith('UPDATE "accounts_batchjob"')]
        assert len(job_writes) == 1 and '"rows"' not in job_writes[0]
        # The rows column is only ever read a row at a time (JSON_EXTRACT and JSON_TYPE on
        # SQLite, -> on PostgreSQL), never whole.
        column = '"accounts_batchjob"."rows"'
        for sql in queries:
            by_row = sum(
                sql.count(reading)
                for reading in (f"JSON_EXTRACT({column}", f"JSON_TYPE({column}", f"({column} ->")
            )
            assert sql.count(column) == by_row, sql
    assert Assertion.objects.filter(recipient__in=people).count() == ROWS
    job.refresh_from_db()
    assert (job.state, job.processed, job.outcomes) == ("done", ROWS, {"awarded": ROWS})


def test_awards_write_nothing_to_wagtails_reference_index(
    csv_data, people, registrar, django_capture_on_commit_callbacks
):
    """Each badge, its credit entry and the award's memberships would otherwise add rows to
    Wagtail's reference index, two queries more a row for a list nobody reads."""
    from wagtail.models import ReferenceIndex

    before = ReferenceIndex.objects.count()
    start(csv_data, django_capture_on_commit_callbacks, registrar)
    assert Assertion.objects.filter(recipient__in=people).count() == ROWS
    assert CreditEntry.objects.filter(user__in=people).count() == ROWS
    assert ReferenceIndex.objects.count() == before
