"""The outbox: work recorded in the caller's transaction, handed over after commit and by
the relay, retried on its schedule, given up in the end, and done once in effect however
often it is delivered. Tasks run in-process here (no broker); the outage tests use real
ones."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.email import email_send_on_commit, emails_send_on_commit
from accounts.jobs import job_enqueue_on_commit
from accounts.models import OutboxMessage
from accounts.outbox import (
    RETRY_DELAYS,
    OutboxTask,
    Published,
    outbox_fast_path_resume,
    outbox_publish,
    outbox_relay,
    outbox_start,
    task_id_make,
    task_named,
)
from accounts.tasks import email_deliver

pytestmark = pytest.mark.django_db

State = OutboxMessage.State
ROOT = Path(__file__).resolve().parents[2]
MISSING_BADGE = "credentials.tasks.assertion_bake"  # with an id no badge has: it raises


def welcome(to: str = "ana@school.example") -> EmailMessage:
    return EmailMessage("Welcome to Leap", "Hello Ana", to=[to])


def test_work_exists_exactly_when_the_change_does(django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), transaction.atomic():
        email_send_on_commit(welcome())
        assert OutboxMessage.objects.get().state == State.PENDING  # in the same transaction
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_send_on_commit(welcome())
        assert mail.outbox == []  # nothing goes before the commit
    message = OutboxMessage.objects.get()
    assert [m.subject for m in mail.outbox] == ["Welcome to Leap"]
    assert (message.state, message.attempts, message.publication) == (State.DONE, 1, 1)
    assert message.label == "e-mail 'Welcome to Leap' to ana@school.example"
    assert message.args == []  # the message's text is let go once it is delivered


def test_a_failing_task_is_tried_again_on_its_schedule_then_given_up(
    django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue_on_commit(MISSING_BADGE, 999999, label="baking a badge no one has")
    message = OutboxMessage.objects.get()
    for tries, delay in enumerate(RETRY_DELAYS, start=1):
        message.refresh_from_db()
        assert (message.state, message.attempts) == (State.PENDING, tries)
        assert "DoesNotExist" in message.last_error
        failed_at = timezone.now()
        assert outbox_relay(now=failed_at + timedelta(seconds=delay - 30)) == 0  # not yet
        assert outbox_relay(now=failed_at + timedelta(seconds=delay + 5)) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.DEAD, len(RETRY_DELAYS) + 1)
    assert "Gave up on baking a badge no one has after 6 tries" in caplog.text
    assert outbox_relay(now=timezone.now() + timedelta(days=30)) == 0  # dead stays dead


def sent(message: OutboxMessage, publication: int = 1) -> OutboxMessage:
    """As if the message had been handed to the broker `publication` times."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.SENT, publication=publication, sent_at=timezone.now()
    )
    message.refresh_from_db()
    return message


def recorded_email(django_capture_on_commit_callbacks) -> OutboxMessage:
    """An e-mail recorded, whose fast path never ran (the process stopped at commit)."""
    with django_capture_on_commit_callbacks(execute=False):
        email_send_on_commit(welcome())
    return OutboxMessage.objects.get()


def test_only_the_latest_publication_runs_and_only_once(django_capture_on_commit_callbacks):
    message = sent(recorded_email(django_capture_on_commit_callbacks), publication=2)
    data = message.args[0]
    assert email_deliver.apply([data], task_id=task_id_make(message.pk, 1)).result is None
    assert mail.outbox == []  # an older publication's copy does nothing
    assert email_deliver.apply([data], task_id=task_id_make(message.pk, 2)).result == 1
    assert email_deliver.apply([data], task_id=task_id_make(message.pk, 2)).result is None
    assert len(mail.outbox) == 1  # the same copy again does nothing either
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.DONE, 1)
    # Called directly (not through the outbox), it is a plain task.
    assert email_deliver(data) == 1 and len(mail.outbox) == 2


def test_a_run_its_worker_lost_is_published_again_after_the_task_s_limit(
    django_capture_on_commit_callbacks,
):
    message = sent(recorded_email(django_capture_on_commit_callbacks))
    assert outbox_start(message_id=message.pk, publication=1, task=email_deliver)
    # ... and the worker died. Until the task's time limit and a grace have passed, the run
    # may still be going: it is left alone.
    lost_after = email_deliver.lost_after()
    assert lost_after == timedelta(seconds=60 + settings.LEAP_OUTBOX_LOST_GRACE_SECONDS)
    started = timezone.now()
    assert outbox_relay(now=started + lost_after - timedelta(seconds=5)) == 0
    assert outbox_relay(now=started + lost_after + timedelta(seconds=1)) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts, message.publication) == (State.DONE, 2, 2)
    assert len(mail.outbox) == 1


def test_a_run_lost_on_its_last_try_is_given_up(django_capture_on_commit_callbacks):
    message = sent(recorded_email(django_capture_on_commit_callbacks))
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=len(email_deliver.retry_delays))
    assert outbox_start(message_id=message.pk, publication=1, task=email_deliver)
    assert outbox_relay(now=timezone.now() + timedelta(hours=1)) == 0
    message.refresh_from_db()
    assert message.state == State.DEAD
    assert "worker stopped before the task finished" in message.last_error
    assert mail.outbox == []


def test_a_message_no_worker_took_is_published_again_later_and_later(
    django_capture_on_commit_callbacks,
):
    message = recorded_email(django_capture_on_commit_callbacks)
    wait = timedelta(seconds=settings.LEAP_OUTBOX_QUEUE_WAIT_SECONDS)
    now = timezone.now()
    # Handed over, and lost by the broker: published again after the queue wait, then
    # after twice as long, and so on (a long worker outage does not fill the queue).
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=now)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(OutboxTask, "apply_async", lambda *args, **kwargs: None)
        assert outbox_relay(now=now) == 1
        assert outbox_relay(now=now + wait - timedelta(seconds=1)) == 0
        assert outbox_relay(now=now + wait) == 1
        assert outbox_relay(now=now + wait + wait) == 0
        assert outbox_relay(now=now + wait + 2 * wait) == 1
    message.refresh_from_db()
    assert (message.state, message.publication, message.attempts) == (State.SENT, 3, 0)
    # The broker keeps this last one: the worker runs it.
    assert outbox_relay(now=now + 6 * wait) == 1
    message.refresh_from_db()
    assert (message.state, message.publication) == (State.DONE, 4)
    assert len(mail.outbox) == 1


def test_two_relays_publish_a_message_once(django_capture_on_commit_callbacks):
    message = recorded_email(django_capture_on_commit_callbacks)
    copy = OutboxMessage.objects.get(pk=message.pk)
    now = timezone.now()
    assert outbox_publish(message, now=now) is Published.SENT
    assert outbox_publish(copy, now=now) is Published.SKIPPED
    assert len(mail.outbox) == 1


def test_work_with_a_key_already_recorded_is_not_recorded_again(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        job_enqueue_on_commit(MISSING_BADGE, 1, dedupe_key="assertion-bake:1")
        job_enqueue_on_commit(MISSING_BADGE, 1, dedupe_key="assertion-bake:1")
        job_enqueue_on_commit(MISSING_BADGE, 2, dedupe_key="assertion-bake:2")
    assert sorted(OutboxMessage.objects.values_list("args", flat=True)) == [[1], [2]]


def test_only_outbox_tasks_can_be_queued_after_a_commit():
    with pytest.raises(TypeError, match="its base must be OutboxTask"):
        job_enqueue_on_commit("accounts.tasks.notifications_send_digests")
    assert not OutboxMessage.objects.exists()


def queued_task_names() -> set[str]:
    """Every task name the code queues through `job_enqueue_on_commit`, read from the
    source (a literal, or a module constant)."""
    names = set()
    for app in ("accounts", "cms", "learning", "credentials"):
        for path in (ROOT / app).glob("**/*.py"):
            names |= _queued_in(ast.parse(path.read_text()))
    return names


def _queued_in(tree: ast.Module) -> set[str]:
    names = set()
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "job_enqueue_on_commit":
            first = node.args[0]
            names.add(first.value if isinstance(first, ast.Constant) else constants[first.id])
    return names


def test_every_task_queued_after_a_commit_is_an_outbox_task():
    names = queued_task_names()
    assert {
        "accounts.tasks.email_deliver",
        "accounts.tasks.email_verification_resend",
        "credentials.tasks.assertion_bake",
        "credentials.tasks.submission_assign",
        "credentials.tasks.reviews_hand_over",
        "credentials.tasks.cohort_badge_award",
        "learning.tasks.enrolments_reconcile",
    } <= names
    for name in names:
        assert isinstance(task_named(name), OutboxTask)


def test_no_task_outlasts_the_broker_s_visibility_timeout():
    """Redis hands an unacknowledged message out again after the visibility timeout; a
    task still running then would run twice."""
    from cms.celery import app

    app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility < 60 * 60  # not kombu's hour
    for name, task in app.tasks.items():
        if name.startswith(("accounts.", "cms.", "learning.", "credentials.")):
            limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
            assert limit < visibility, name
            assert task.soft_time_limit is None or task.soft_time_limit < limit, name
            if isinstance(task, OutboxTask):
                assert limit < task.lost_after().total_seconds() < visibility, name


def test_a_message_whose_task_no_longer_exists_is_given_up():
    message = OutboxMessage.objects.create(task_name="accounts.tasks.gone", label="old work")
    assert outbox_relay(now=timezone.now() + timedelta(minutes=1)) == 0
    message.refresh_from_db()
    assert message.state == State.DEAD
    assert "No task can run it" in message.last_error


def test_the_relay_forgets_done_work_after_a_week_and_keeps_what_was_given_up():
    old = timezone.now() - timedelta(days=settings.LEAP_OUTBOX_KEEP_DAYS, hours=1)
    OutboxMessage.objects.create(task_name=MISSING_BADGE, state=State.DONE, created_at=old)
    dead = OutboxMessage.objects.create(task_name=MISSING_BADGE, state=State.DEAD, created_at=old)
    recent = OutboxMessage.objects.create(task_name=MISSING_BADGE, state=State.DONE)
    outbox_relay()
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {dead.pk, recent.pk}


def test_the_relay_command_hands_over_what_is_due(django_capture_on_commit_callbacks, capsys):
    message = recorded_email(django_capture_on_commit_callbacks)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    call_command("outbox_relay")
    assert "Handed 1 queued job(s) to the workers." in capsys.readouterr().out
    assert len(mail.outbox) == 1
    call_command("outbox_relay")
    assert "Handed 0 queued job(s)" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_beat_asks_for_a_relay_pass_every_minute_and_drops_a_pass_that_waited():
    from django_celery_beat.schedulers import ModelEntry

    from cms.celery import app

    entry = ModelEntry.from_entry(
        "outbox-relay", app=app, **settings.CELERY_BEAT_SCHEDULE["outbox-relay"]
    )
    assert entry.task == "accounts.tasks.outbox_relay"
    assert len(entry.schedule.minute) == 60 and len(entry.schedule.hour) == 24
    assert entry.options["expires"] == 50


def due_emails(django_capture_on_commit_callbacks, count: int) -> list[OutboxMessage]:
    with django_capture_on_commit_callbacks(execute=False):
        for number in range(count):
            email_send_on_commit(welcome(to=f"person{number}@school.example"))
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    return list(OutboxMessage.objects.order_by("pk"))


def test_a_relay_pass_goes_on_batch_after_batch(settings, django_capture_on_commit_callbacks):
    settings.LEAP_OUTBOX_RELAY_BATCH = 2
    due_emails(django_capture_on_commit_callbacks, 5)
    assert outbox_relay() == 5
    assert len(mail.outbox) == 5
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {State.DONE}


def refusing_broker(refusals: list):
    """An `apply_async` that records the task id and fails as an unreachable Redis does."""
    from kombu.exceptions import OperationalError

    def refuse(*args, **kwargs):
        refusals.append(kwargs["task_id"])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    return refuse


def test_a_relay_pass_stops_at_the_broker_s_first_refusal(django_capture_on_commit_callbacks):
    first, *others = due_emails(django_capture_on_commit_callbacks, 3)
    refusals = []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(OutboxTask, "apply_async", refusing_broker(refusals))
        assert outbox_relay() == 0
    assert refusals == [task_id_make(first.pk, 1)]  # one try, not one per message
    first.refresh_from_db()
    assert (first.state, first.publication) == (State.PENDING, 1)
    assert "Connection refused" in first.last_error
    untouched = OutboxMessage.objects.filter(pk__in=[m.pk for m in others])
    assert list(untouched.values_list("state", "publication")) == [(State.PENDING, 0)] * 2
    assert outbox_relay() == 3  # the broker is back
    assert len(mail.outbox) == 3


def many_welcomes(count: int) -> list[EmailMessage]:
    return [welcome(to=f"person{number}@school.example") for number in range(count)]


def test_many_messages_are_claimed_together_and_each_runs_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as hooks, transaction.atomic():
        emails_send_on_commit(many_welcomes(4))
        assert mail.outbox == []
    assert len(hooks) == 1  # one hook for them all, not one each
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@school.example" for n in range(4)]
    done = OutboxMessage.objects.values_list("state", "publication", "attempts")
    assert list(done) == [(State.DONE, 1, 1)] * 4
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_relay() == 0  # nothing is published twice


def test_many_messages_the_broker_refuses_are_left_to_the_relay_whole(
    django_capture_on_commit_callbacks,
):
    refusals = []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(OutboxTask, "apply_async", refusing_broker(refusals))
        with django_capture_on_commit_callbacks(execute=True):
            emails_send_on_commit(many_welcomes(3))
    assert len(refusals) == 1  # one try, not one per message
    outbox_fast_path_resume()
    waiting = OutboxMessage.objects.values_list("state", flat=True)
    assert list(waiting) == [State.PENDING] * 3
    assert outbox_relay() == 3  # the broker is back
    assert len(mail.outbox) == 3
