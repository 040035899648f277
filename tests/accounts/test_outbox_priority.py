"""Bulk mail (a bulk award's thousands of "you earned" e-mails) waits at the broker behind
every other piece of work: a real worker, started after a bulk batch and a one-off message
were queued, delivers the one-off message first."""

import pytest
from django.core.mail import EmailMessage
from django.db import transaction

from accounts.email import email_send_on_commit, emails_send_on_commit
from accounts.models import OutboxMessage
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
    server = RedisServer()
    server.start()
    with celery_broker(server.url):
        yield server
    server.stop()


@pytest.fixture
def smtp():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


def test_a_one_off_message_queued_after_bulk_mail_is_delivered_first(redis, smtp, tmp_path):
    with transaction.atomic():  # queued now, for a worker that is not running yet
        emails_send_on_commit(
            [EmailMessage("You earned a badge", "…", to=[f"t{n}@school.example"]) for n in range(4)]
        )
    with transaction.atomic():
        email_send_on_commit(EmailMessage("Your sign-in link", "…", to=["ana@school.example"]))
    sent = OutboxMessage.objects.values_list("is_bulk", "state")
    assert sorted(sent) == [(False, "sent")] + [(True, "sent")] * 4  # all at the broker

    worker = WorkerProcess(log=tmp_path / "worker.log", redis_url=redis.url, email_port=smtp.port)
    worker.start()
    try:
        wait_until(
            lambda: set(OutboxMessage.objects.values_list("state", flat=True)) == {"done"},
            timeout=60,
            what="the worker to deliver the five messages",
        )
    finally:
        worker.stop()
    order = list(OutboxMessage.objects.order_by("done_at").values_list("label", flat=True))
    assert order[0] == "e-mail 'Your sign-in link' to ana@school.example"
    assert smtp.subjects_to("t3@school.example") == ["You earned a badge"]
