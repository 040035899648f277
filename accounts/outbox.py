"""The outbox: work that must happen after a commit (baking, e-mail, reviewer assignment,
awards, reminders) is an `OutboxMessage` row written in the caller's transaction, so it
exists exactly when the change does, and is handed to Celery from there:

- at once after commit (the fast path), in the process that made the change;
- by the relay (`outbox_relay`: beat every minute, a worker as it starts, and
  `manage.py outbox_relay`), for messages whose fast path failed (broker down, process
  gone), whose run failed and whose retry time has come, and for messages published or
  started but never finished by their deadline (broker lost the message, worker killed).

A task queued this way has `OutboxTask` as its base. It claims its row as it starts, marks
it done when it returns, and on an error schedules the next try from its `retry_delays`
(then gives up: the message is dead and shown to staff, who can retry it). Every
publication carries its number in the Celery task id; a delivery that is not the latest
publication, or whose publication has already started, does nothing. So a message
re-published after a lost run runs once in effect, however many copies the broker hands
out. What a task does must still be safe to repeat after a crash between its work and its
"done" (the tasks are written so: a bake overwrites the one image, an award returns the
badge already issued, an assignment fills only what is missing); only SMTP, which cannot
take part in a transaction, could send twice, and only if a worker dies in the moment
between the server accepting a message and the row being marked."""

import logging
import re
import time
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from importlib import import_module

from celery import Task, shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.errors import LeapError
from accounts.models import OutboxMessage

logger = logging.getLogger(__name__)

State = OutboxMessage.State
MINUTE = 60
HOUR = 60 * MINUTE

# Waits (seconds) before each retry of a task that raised; after the last, it is dead.
RETRY_DELAYS = (MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 8 * HOUR)
# An SMTP server can be down for a day: e-mail keeps trying for about forty hours.
EMAIL_RETRY_DELAYS = (
    MINUTE,
    5 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    4 * HOUR,
    8 * HOUR,
    12 * HOUR,
    12 * HOUR,
)

# One reconnection (a pooled connection may be stale after Redis restarted), no more: the
# work is safe in the outbox, so a request never waits long on an unreachable broker.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
LOST_RUN = "The worker stopped before the task finished (killed, restarted or out of time)."
TASK_ID = re.compile(r"^outbox-(\d+)-(\d+)$")
BULK_PRIORITY = 9


class Published(Enum):
    SENT = "sent"  # the broker has it (or, in-process, it ran)
    BROKER_DOWN = "broker down"  # the broker refused it; the message waits for the relay
    SKIPPED = "skipped"  # another relay or the fast path had it; or it cannot run at all


def task_id_make(message_id: int, publication: int) -> str:
    return f"outbox-{message_id}-{publication}"


def task_id_read(task_id: str | None) -> tuple[int, int] | None:
    """(message id, publication) of a task id the outbox made; None for any other run."""
    found = TASK_ID.match(task_id or "")
    return (int(found[1]), int(found[2])) if found else None


class OutboxTask(Task):
    """The base of every task queued through the outbox (declared with `outbox_task`).
    Delivered by the outbox, it claims, completes or fails its message; called directly,
    or by beat, it is a plain task."""

    ignore_result = True  # the outbox row says how it went
    retry_delays: tuple[int, ...] = RETRY_DELAYS

    def lost_after(self) -> timedelta:
        """How long a started run may take before the outbox takes it as lost."""
        limit = self.time_limit or settings.CELERY_TASK_TIME_LIMIT
        return timedelta(seconds=limit + settings.LEAP_OUTBOX_LOST_GRACE_SECONDS)

    def __call__(self, *args, **kwargs):
        ids = task_id_read(self.request.id)
        if ids is None:
            return super().__call__(*args, **kwargs)
        message_id, publication = ids
        if not outbox_start(message_id=message_id, publication=publication, task=self):
            logger.info("Skipped a stale or repeated delivery of %s", self.request.id)
            return None
        try:
            result = super().__call__(*args, **kwargs)
        except Exception as error:
            outbox_failed(message_id=message_id, publication=publication, task=self, error=error)
            raise
        outbox_done(message_id=message_id, publication=publication)
        return result


def outbox_task(*, time_limit: int = 2 * MINUTE, **options):
    """Declare a task queued through the outbox: `@outbox_task()` over the function, with
    `time_limit` (seconds; a run is stopped then, and its message taken as lost a little
    after) and, where the default does not fit, `retry_delays`."""
    return shared_task(
        base=OutboxTask, time_limit=time_limit, soft_time_limit=time_limit * 0.9, **options
    )


def task_named(task_name: str) -> OutboxTask:
    """The task a dotted name names; a programming error (TypeError) when it is not an
    outbox task, which would be published again and again with no one marking it done."""
    module, _, name = task_name.rpartition(".")
    task = getattr(import_module(module), name)
    if not isinstance(task, OutboxTask):
        raise TypeError(f"{task_name} is queued after commit, so its base must be OutboxTask.")
    return task


# Recording.


def outbox_add(
    *, task_name: str, args: list, label: str = "", dedupe_key: str = ""
) -> OutboxMessage | None:
    """Record work in the current transaction. None when `dedupe_key` is already
    recorded: the same work was asked for before."""
    task_named(task_name)
    now = timezone.now()
    fields = {
        "task_name": task_name,
        "args": list(args),
        "label": label[:300],
        "dedupe_key": dedupe_key,
        "created_at": now,
        # The fast path goes first; the relay takes over only if it has not by then.
        "next_attempt_at": now + timedelta(seconds=settings.LEAP_OUTBOX_FAST_PATH_SECONDS),
    }
    if not dedupe_key:
        return OutboxMessage.objects.create(**fields)
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(**fields)
    except IntegrityError:
        return None


def outbox_add_many(
    *, task_name: str, jobs: list[tuple[list, str]], bulk: bool = False
) -> list[OutboxMessage]:
    """`outbox_add` for many messages of one task at once (a bulk award's e-mails): one
    insert. `jobs` are (args, label) pairs; no dedupe key. `bulk` work waits behind all
    other work at the broker (`OutboxMessage.is_bulk`)."""
    task_named(task_name)
    now = timezone.now()
    first_try = now + timedelta(seconds=settings.LEAP_OUTBOX_FAST_PATH_SECONDS)
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(
            task_name=task_name,
            args=list(args),
            label=label[:300],
            dedupe_key="",
            is_bulk=bulk,
            created_at=now,
            next_attempt_at=first_try,
        )
        for args, label in jobs
    )


# Publishing: the fast path and the relay.

# After the broker refused a message, this process leaves new work to the relay for a few
# seconds instead of waiting on the broker once per message (a bulk award queues
# thousands). A hint, not state: losing it costs nothing.
_fast_path_paused_until = 0.0


def outbox_fast_path_resume() -> None:
    """Try the broker again at the next commit (for tests that brought it back)."""
    global _fast_path_paused_until
    _fast_path_paused_until = 0.0


def outbox_publish_after_commit(message: OutboxMessage) -> None:
    transaction.on_commit(lambda: _publish_now(message), robust=True)


def outbox_publish_many_after_commit(messages: list[OutboxMessage]) -> None:
    """The fast path for many new messages (a bulk award's e-mails), in one commit hook:
    claimed together in one transaction, then handed to the broker one by one; if the
    broker refuses one, it and the rest are left to the relay at once."""
    if messages:
        transaction.on_commit(partial(_publish_many_now, messages), robust=True)


def _publish_many_now(messages: list[OutboxMessage]) -> None:
    global _fast_path_paused_until
    if time.monotonic() < _fast_path_paused_until:
        return
    now = timezone.now()
    publication = 1
    with transaction.atomic():
        # Locked, so a relay that reaches one of them meanwhile finds it claimed.
        claimed = set(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                pk__in=[m.pk for m in messages], state=State.PENDING, publication=publication - 1
            )
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=claimed).update(
            state=State.SENT,
            publication=publication,
            sent_at=now,
            next_attempt_at=now + _queue_wait(publication),
        )
    for message in messages:
        if message.pk not in claimed:
            continue
        if _hand_over(message, publication, now=now) is Published.BROKER_DOWN:
            _fast_path_paused_until = time.monotonic() + settings.LEAP_OUTBOX_BROKER_PAUSE_SECONDS
            OutboxMessage.objects.filter(
                pk__in=claimed, state=State.SENT, publication=publication, sent_at=now
            ).update(state=State.PENDING, next_attempt_at=now)
            return


def _publish_now(message: OutboxMessage) -> None:
    global _fast_path_paused_until
    if time.monotonic() < _fast_path_paused_until:
        return
    if outbox_publish(message, now=timezone.now()) is Published.BROKER_DOWN:
        _fast_path_paused_until = time.monotonic() + settings.LEAP_OUTBOX_BROKER_PAUSE_SECONDS


def _queue_wait(publication: int) -> timedelta:
    """How long a published message may wait for a worker before it is published again;
    longer each time, so a long worker outage does not fill the queue with copies."""
    return timedelta(seconds=settings.LEAP_OUTBOX_QUEUE_WAIT_SECONDS * min(publication, 12))


def outbox_publish(message: OutboxMessage, *, now: datetime) -> Published:
    """Hand the message (pending, or sent but overdue) to the broker, claiming it first so
    that two relays, or a relay and the fast path, publish it once. Never raises: the
    change that asked for it is already committed."""
    try:
        task = task_named(message.task_name)
    except Exception as error:
        _give_up(message, error=f"No task can run it: {error}")
        return Published.SKIPPED
    publication = message.publication + 1
    claimed = OutboxMessage.objects.filter(
        pk=message.pk, state=message.state, publication=message.publication
    ).update(
        state=State.SENT,
        publication=publication,
        sent_at=now,
        next_attempt_at=now + _queue_wait(publication),
    )
    if not claimed:
        return Published.SKIPPED
    return _hand_over(message, publication, now=now, task=task)


def _hand_over(message: OutboxMessage, publication: int, *, now: datetime, task=None) -> Published:
    """Give the claimed message to the broker. Its arguments are shown in Celery's own logs
    and monitors by its label only: they may carry a message's text or a sign-in link (and
    working out Celery's default rendering of them cost more than the rest of the call)."""
    task = task or task_named(message.task_name)
    try:
        task.apply_async(
            args=message.args,
            task_id=task_id_make(message.pk, publication),
            retry=True,
            retry_policy=PUBLISH_RETRY,
            argsrepr=f"({_name(message)})",
            kwargsrepr="{}",
            # On Redis, 0 (no priority given) is taken first and 9 last.
            **({"priority": BULK_PRIORITY} if message.is_bulk else {}),
        )
    except Exception as error:
        # Still "sent" with this publication: the broker refused it. Otherwise the task ran
        # in-process (no broker configured) and recorded its own failure.
        refused = OutboxMessage.objects.filter(
            pk=message.pk, state=State.SENT, publication=publication
        ).update(state=State.PENDING, next_attempt_at=now, last_error=_describe(error))
        if refused:
            logger.warning("Could not queue %s; the relay will: %s", _name(message), error)
            return Published.BROKER_DOWN
        logger.debug("%s failed in-process", _name(message), exc_info=True)
    return Published.SENT


def outbox_relay(*, now: datetime | None = None) -> int:
    """Publish the messages whose time has come: pending ones (fast path missed, or a retry
    is due) and sent or running ones past their deadline (lost: published again; a lost run
    counts as a try). Batch after batch (LEAP_OUTBOX_RELAY_BATCH) for up to
    LEAP_OUTBOX_RELAY_SECONDS, each message once a pass; stops at the first refusal of the
    broker, and the next pass goes on. Then forgets done messages older than
    LEAP_OUTBOX_KEEP_DAYS. Returns how many it published."""
    now = now or timezone.now()
    batch_size = settings.LEAP_OUTBOX_RELAY_BATCH
    stop_at = time.monotonic() + settings.LEAP_OUTBOX_RELAY_SECONDS
    published, seen, broker_down = 0, set(), False
    while not broker_down and time.monotonic() < stop_at:
        batch = list(
            OutboxMessage.objects.filter(
                state__in=OutboxMessage.ACTIVE_STATES, next_attempt_at__lte=now
            )
            .exclude(pk__in=seen)
            .order_by("next_attempt_at", "pk")[:batch_size]
        )
        seen.update(message.pk for message in batch)
        for message in batch:
            outcome = _relay_one(message, now=now)
            if outcome is Published.BROKER_DOWN:
                broker_down = True
                break
            published += outcome is Published.SENT
        if len(batch) < batch_size:
            break
    kept_from = now - timedelta(days=settings.LEAP_OUTBOX_KEEP_DAYS)
    OutboxMessage.objects.filter(state=State.DONE, created_at__lt=kept_from).delete()
    return published


def _relay_one(message: OutboxMessage, *, now: datetime) -> Published:
    if message.state == State.RUNNING and not _lost_run_settle(message):
        return Published.SKIPPED
    return outbox_publish(message, now=now)


def _lost_run_settle(message: OutboxMessage) -> bool:
    """A run started and never finished: count it as a failed try. True when the message
    may be published again (it is pending now), False when it is dead or moved on."""
    try:
        delays = task_named(message.task_name).retry_delays
    except Exception:
        delays = RETRY_DELAYS
    if message.attempts > len(delays):
        _give_up(message, error=LOST_RUN)
        return False
    settled = OutboxMessage.objects.filter(
        pk=message.pk, state=State.RUNNING, publication=message.publication
    ).update(state=State.PENDING, last_error=LOST_RUN)
    if not settled:  # it finished, or another relay took it, meanwhile
        return False
    message.state = State.PENDING
    logger.warning("%s was lost by its worker; publishing it again", _name(message))
    return True


# What the task reports.


def outbox_start(*, message_id: int, publication: int, task: OutboxTask) -> bool:
    """Claim the message for this delivery: only the latest publication, and only once."""
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, state=State.SENT, publication=publication
        ).update(
            state=State.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            next_attempt_at=now + task.lost_after(),
        )
    )


def outbox_done(*, message_id: int, publication: int) -> None:
    """Mark it done, and let go of its arguments (a message's text, a sign-in link)."""
    OutboxMessage.objects.filter(
        pk=message_id, state=State.RUNNING, publication=publication
    ).update(state=State.DONE, done_at=timezone.now(), args=[])


def outbox_failed(
    *, message_id: int, publication: int, task: OutboxTask, error: BaseException
) -> None:
    """The run raised: try again after the next of the task's retry delays, or give up."""
    try:
        message = OutboxMessage.objects.get(
            pk=message_id, state=State.RUNNING, publication=publication
        )
        if message.attempts > len(task.retry_delays):
            _give_up(message, error=_describe(error))
            return
        wait = timedelta(seconds=task.retry_delays[message.attempts - 1])
        OutboxMessage.objects.filter(
            pk=message.pk, state=State.RUNNING, publication=publication
        ).update(
            state=State.PENDING, next_attempt_at=timezone.now() + wait, last_error=_describe(error)
        )
        logger.warning("%s failed; trying again in %s: %s", _name(message), wait, error)
    except Exception:  # the database itself may be what failed: the deadline still holds
        logger.exception("Could not record the failure of outbox message %s", message_id)


def _give_up(message: OutboxMessage, *, error: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk, state__in=OutboxMessage.ACTIVE_STATES).update(
        state=State.DEAD, last_error=error[:2000]
    )
    logger.error(
        "Gave up on %s after %s tries: %s", _name(message), message.attempts, error.strip()
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _name(message: OutboxMessage) -> str:
    return message.label or message.task_name


# Staff.


@transaction.atomic
def outbox_retry(*, message_id: int) -> OutboxMessage:
    """Try a given-up or long-waiting message again now, with a fresh retry schedule. A
    LeapError when it is running or done (nothing to retry)."""
    message = (
        OutboxMessage.objects.select_for_update()
        .filter(pk=message_id, state__in=[State.DEAD, State.PENDING, State.SENT])
        .first()
    )
    if message is None:
        raise LeapError("This work is running or done already, so there is nothing to retry.")
    message.state = State.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "attempts", "next_attempt_at"])
    outbox_publish_after_commit(message)
    return message
