"""Work that must happen after a commit (baking, e-mail, reviewer assignment, awards) is
queued by the task's dotted name, so a service never imports the tasks module that wraps
it (tasks import services; the reverse would be a cycle). It is recorded in the outbox in
the caller's transaction and handed to Celery after commit (`accounts.outbox`), so a
broker, worker or SMTP failure delays it and never loses it."""

from accounts.outbox import (
    outbox_add,
    outbox_add_many,
    outbox_publish_after_commit,
    outbox_publish_many_after_commit,
)


def job_enqueue_on_commit(task_name: str, *args, label: str = "", dedupe_key: str = "") -> None:
    """Record the task in the current transaction (now, outside one) and queue it once the
    transaction commits; a rolled-back change queues nothing. The task's base must be
    `accounts.outbox.OutboxTask`. `label` names the work in logs and on the staff screen
    (the arguments never appear there: they may carry a message's text or a link that signs
    someone in). With a `dedupe_key`, work already recorded under the same key is not
    recorded again."""
    message = outbox_add(task_name=task_name, args=list(args), label=label, dedupe_key=dedupe_key)
    if message is not None:
        outbox_publish_after_commit(message)


def jobs_enqueue_on_commit(
    task_name: str, jobs: list[tuple[list, str]], *, bulk: bool = False
) -> None:
    """`job_enqueue_on_commit` for many runs of one task, each (args, label): recorded in
    one insert, published after commit; `bulk` work waits behind all other work."""
    messages = outbox_add_many(task_name=task_name, jobs=jobs, bulk=bulk)
    outbox_publish_many_after_commit(messages)
