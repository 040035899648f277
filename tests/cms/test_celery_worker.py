"""A real Celery worker on Redis runs a task that was queued (in the outbox) when a
transaction committed, and marks it done."""

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import after_task_publish
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from accounts.email import email_send_on_commit
from accounts.models import OutboxMessage
from cms.celery import app
from tests.factories import UserFactory
from tests.outages import wait_until

pytestmark = [
    pytest.mark.needs_redis,
    # Committed data (the worker runs in another thread); serialized rollback restores
    # what migrations created once the test flushes the database.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker(settings):
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def published_task_ids():
    """Ids of the tasks sent to the broker while the test runs."""
    ids = []

    def remember(sender=None, headers=None, **kwargs):
        ids.append(headers["id"])

    after_task_publish.connect(remember, weak=False)
    yield ids
    after_task_publish.disconnect(remember)


def test_an_email_queued_in_a_transaction_is_delivered_by_the_worker_after_commit(
    worker, published_task_ids
):
    with transaction.atomic():
        user = UserFactory(display_name="Ana Díaz")
        email_send_on_commit(
            EmailMessage("Welcome to Leap", f"Hello {user.display_name}", to=[user.email])
        )
        assert published_task_ids == []  # nothing reaches the broker before the commit

    assert len(published_task_ids) == 1
    queued = OutboxMessage.objects.get()
    assert published_task_ids == [f"outbox-{queued.pk}-1"]
    wait_until(
        lambda: OutboxMessage.objects.get().state == OutboxMessage.State.DONE,
        timeout=20,
        what="the worker to deliver the e-mail",
        every=0.2,
    )
    assert [message.subject for message in mail.outbox] == ["Welcome to Leap"]
    assert mail.outbox[0].to == [user.email]


def test_a_rolled_back_transaction_sends_nothing(worker, published_task_ids):
    with pytest.raises(RuntimeError), transaction.atomic():
        email_send_on_commit(EmailMessage("Never", "sent", to=["nobody@school.example"]))
        raise RuntimeError("the change failed")
    assert published_task_ids == []
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()  # nothing recorded either
