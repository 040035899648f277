"""Work that must happen after a commit (baking, e-mail, reviewer assignment) is handed to
Celery by the task's dotted name, so a service never imports the tasks module that wraps
it (tasks import services; the reverse would be a cycle)."""

import logging
from importlib import import_module

from django.db import transaction

logger = logging.getLogger(__name__)


def job_enqueue(task_name: str, *args, label: str = "") -> None:
    """Queue a task now. The change that asked for it is already committed, so a broker
    failure (or an error of a task run in-process) is logged, never turned into an error
    page. The log names the task (or `label`), never its arguments, which may carry a
    message's text or a link that signs someone in."""
    module, _, name = task_name.rpartition(".")
    try:
        getattr(import_module(module), name).delay(*args)
    except Exception:
        logger.exception("Could not queue %s", label or task_name)


def job_enqueue_on_commit(task_name: str, *args, label: str = "") -> None:
    """Queue a task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: job_enqueue(task_name, *args, label=label))
