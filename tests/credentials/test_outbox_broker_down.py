"""The broker unreachable when a bulk award is sent: the job is saved, the page answers as
usual, and once the broker is back the relay hands the job to a real worker process, which
awards the badges; each is baked and e-mailed once."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import BatchJob, OutboxMessage
from accounts.outbox import outbox_relay
from credentials.models import Assertion
from tests.factories import UserFactory
from tests.outages import (
    WITH_A_WORKER_PROCESS,
    SmtpSink,
    WorkerProcess,
    celery_broker,
    wait_until,
)
from tests.redis_server import RedisServer

pytestmark = WITH_A_WORKER_PROCESS


@pytest.fixture
def redis():
    """A Redis of the test's own, not started yet: the broker's port is closed."""
    server = RedisServer()
    with celery_broker(server.url):
        yield server
    server.stop()


@pytest.fixture
def smtp():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


def test_a_bulk_award_sent_while_the_broker_is_down_is_done_baked_and_emailed_once_back(
    client, micro_credential, redis, smtp, tmp_path
):
    client.force_login(UserFactory(is_superuser=True))
    UserFactory(email="ana@school.example")
    UserFactory(email="sam@school.example")
    rows = f"email,badge\nana@school.example,{micro_credential.slug}\n"
    rows += f"sam@school.example,{micro_credential.slug}\n"
    upload = tmp_path / "awards.csv"
    upload.write_text(rows)

    began = time.monotonic()
    with upload.open("rb") as file:
        response = client.post("/admin/issued_badges/award-from-csv/", {"file": file})
    assert response.status_code == 302  # answered as usual (its progress page) ...
    assert time.monotonic() - began < 10  # ... without waiting on the broker for long
    # The job is saved with its rows, and its run waits in the outbox.
    job = BatchJob.objects.get()
    assert (job.state, job.total) == (BatchJob.State.QUEUED, 2)
    queued = OutboxMessage.objects.get()
    assert (queued.task_name, queued.state) == ("accounts.tasks.batch_run", "pending")
    assert "Connection refused" in queued.last_error  # due again at once, for the relay

    redis.start()
    worker = WorkerProcess(log=tmp_path / "worker.log", redis_url=redis.url, email_port=smtp.port)
    worker.start()
    try:
        # Beat's next pass (the starting worker asked for a pass of its own too, which may
        # have handed the job over already).
        outbox_relay()
        # The worker awards both badges in one chunk, which queues their bake (one task for
        # the chunk) and an e-mail each.
        wait_until(
            lambda: list(OutboxMessage.objects.values_list("state", flat=True)) == ["done"] * 4,
            timeout=90,
            what="the worker to finish the job, the bake and the e-mails",
        )
        assert sorted(OutboxMessage.objects.values_list("task_name", flat=True)) == [
            "accounts.tasks.batch_run",
            "accounts.tasks.email_deliver",
            "accounts.tasks.email_deliver",
            "credentials.tasks.assertions_bake",
        ]
        # Another pass, and a little time: nothing is done twice.
        assert outbox_relay() == 0
        time.sleep(2)
    finally:
        worker.stop()

    assert smtp.subjects_to("ana@school.example") == ["[Leap] You earned “Data-Driven Instruction”"]
    assert smtp.subjects_to("sam@school.example") == ["[Leap] You earned “Data-Driven Instruction”"]
    assert BatchJob.objects.get().state == BatchJob.State.DONE
    assert Assertion.objects.count() == 2
    baked = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "baked").iterdir())
    assert baked == sorted(f"{a.uuid}.png" for a in Assertion.objects.all())
    assert all(a.baked_image for a in Assertion.objects.all())
