"""The broker unreachable when an award commits: the award is saved, the page answers as
usual, and once the broker is back the relay hands over the bake and the e-mail, which a
real worker process does once each."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import OutboxMessage
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


def test_an_award_made_while_the_broker_is_down_is_baked_and_emailed_once_it_is_back(
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
    assert response.status_code == 302  # answered as usual ...
    assert time.monotonic() - began < 10  # ... without waiting on the broker for long
    assert Assertion.objects.count() == 2
    queued = OutboxMessage.objects.order_by("task_name", "pk")
    assert [(m.task_name, m.state) for m in queued] == [
        ("accounts.tasks.email_deliver", "pending"),
        ("accounts.tasks.email_deliver", "pending"),
        ("credentials.tasks.assertion_bake", "pending"),
        ("credentials.tasks.assertion_bake", "pending"),
    ]

    redis.start()
    worker = WorkerProcess(log=tmp_path / "worker.log", redis_url=redis.url, email_port=smtp.port)
    worker.start()
    try:
        # Beat's pass of the next minute (its clock a minute on: work whose fast path was
        # skipped waits that long for the relay). The starting worker asked for a pass of
        # its own too, which may have handed some over already.
        later = OutboxMessage.objects.order_by("-next_attempt_at")[0].next_attempt_at
        outbox_relay(now=later)
        wait_until(
            lambda: set(OutboxMessage.objects.values_list("state", flat=True)) == {"done"},
            timeout=60,
            what="the worker to finish the queued work",
        )
        # Another pass, and a little time: nothing is done twice.
        assert outbox_relay(now=later) == 0
        time.sleep(2)
    finally:
        worker.stop()

    assert smtp.subjects_to("ana@school.example") == ["[Leap] You earned “Data-Driven Instruction”"]
    assert smtp.subjects_to("sam@school.example") == ["[Leap] You earned “Data-Driven Instruction”"]
    baked = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "baked").iterdir())
    assert baked == sorted(f"{a.uuid}.png" for a in Assertion.objects.all())
    assert all(a.baked_image for a in Assertion.objects.all())
