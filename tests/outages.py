"""Real outside parts for the outbox's outage tests, each started and stopped by the test
itself: a Celery worker in a separate process that can be killed whole with SIGKILL, and
an SMTP server on loopback (aiosmtpd) that can be down, then up. The Redis server of the
test's own is tests/redis_server.py's."""

import email
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from accounts.outbox import outbox_fast_path_resume
from cms.celery import app
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent

# The marks of a test that runs a worker process: it shares the test's database (so
# PostgreSQL, and committed data), and CI runs it where Redis is set up.
WITH_A_WORKER_PROCESS = [
    pytest.mark.needs_redis,
    pytest.mark.needs_postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_until(condition, *, timeout: float, what: str, every: float = 0.5):
    """Ask `condition` until it is true (returned) or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout:.0f} s for {what}.")
        time.sleep(every)


class WorkerProcess:
    """`celery -A cms worker` in a process group of its own, on the test's database."""

    def __init__(self, *, log: Path, redis_url: str, email_port: int | None = None):
        self.log_path = log
        self.redis_url = redis_url
        self.email_port = email_port
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        db = connection.settings_dict
        login = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            login += ":" + quote(db["PASSWORD"], safe="")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": (
                f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                f"{quote(db['NAME'], safe='')}"
            ),
            "REDIS_URL": self.redis_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PRIVATE_MEDIA_ROOT": str(settings.STORAGES["private"]["OPTIONS"]["location"]),
        }
        env.pop("EMAIL_HOST", None)
        # The worker's Redis is the one named here, not a pytest-xdist process's own
        # database counted from it (cms/settings/test.py).
        env.pop("PYTEST_XDIST_WORKER", None)
        if self.email_port:
            env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(self.email_port))
            env["EMAIL_USE_TLS"] = "false"
        return env

    def start(self) -> "WorkerProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "cms", "worker", "--loglevel=INFO"]
            + ["--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat", "--hostname", f"outage-{free_port()}@%h"],
            cwd=ROOT,
            env=self.environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, children too
        )
        wait_until(lambda: " ready." in self.log(), timeout=90, what="the worker to start")
        return self

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL to the worker and its pool: no clean shutdown, nothing acknowledged."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process:
            self._log.close()
        self.process = None


class SmtpSink:
    """An SMTP server on loopback that keeps every message it accepts."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def subjects_to(self, address: str) -> list[str]:
        """Subjects of the messages to `address`, as a mail program shows them."""
        return [" ".join(str(m["Subject"]).split()) for m in self.messages if address in m["To"]]


@contextmanager
def celery_broker(url: str):
    """This process publishes to `url` through the real broker (not in-process) while the
    block runs; the fast path starts fresh before and after."""
    before = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app._after_fork()  # forget connections to the broker named before, as after a fork
    outbox_fast_path_resume()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = before
        app._after_fork()
        outbox_fast_path_resume()
