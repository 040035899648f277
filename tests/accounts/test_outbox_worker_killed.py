"""A whole worker process killed mid-task: the task runs once, soon after a worker is back,
not after Redis's visibility timeout (an hour by default)."""

import time

import pytest
from django.db import transaction

from accounts.jobs import job_enqueue_on_commit
from accounts.models import OutboxMessage
from accounts.outbox import outbox_relay
from tests.outages import WITH_A_WORKER_PROCESS, WorkerProcess, celery_broker, wait_until
from tests.redis_server import RedisServer

pytestmark = WITH_A_WORKER_PROCESS


@pytest.fixture
def redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def workers(tmp_path, redis):
    started = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(log=tmp_path / f"worker-{len(started)}.log", redis_url=redis.url)
        started.append(worker)
        return worker.start()

    with celery_broker(redis.url):
        yield start
    for worker in started:
        worker.stop()


def lines(path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_task_whose_worker_was_killed_runs_once_after_a_worker_is_back(tmp_path, workers):
    signals = tmp_path / "signals"
    signals.mkdir()
    with transaction.atomic():
        job_enqueue_on_commit(
            "tests.worker_tasks.work_until_released", str(signals), label="held work"
        )

    first = workers()
    wait_until(lambda: lines(signals / "started"), timeout=60, what="the task to start")
    first.kill()  # the whole worker: main process and pool, SIGKILL
    (signals / "release").touch()
    message = OutboxMessage.objects.get()
    assert message.state == OutboxMessage.State.RUNNING
    assert lines(signals / "ran") == []

    killed_at = time.monotonic()
    second = workers()
    # Beat runs the relay every minute; here it runs every second.
    wait_until(
        lambda: outbox_relay() >= 0 and lines(signals / "ran"),
        timeout=90,
        what="the task to run again",
        every=1,
    )
    assert time.monotonic() - killed_at < 60
    wait_until(
        lambda: OutboxMessage.objects.get().state == OutboxMessage.State.DONE,
        timeout=20,
        what="the message to be marked done",
    )
    message.refresh_from_db()
    assert (message.attempts, message.publication) == (2, 2)
    assert message.args == []  # let go once done

    # Redis also hands out the killed worker's own copy once its visibility timeout has
    # passed (30 s in these workers): it is a stale copy and does nothing.
    wait_until(
        lambda: "Skipped a stale or repeated delivery of outbox-" in second.log(),
        timeout=90,
        what="Redis to hand out the killed worker's copy",
        every=1,
    )
    assert len(lines(signals / "started")) == 2  # the killed run and the one that finished
    assert len(lines(signals / "ran")) == 1  # done once
