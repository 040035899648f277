"""The load test: a production-like Leap on loopback under simulated people, with Redis
restarted in the middle. `make loadtest` runs the full form (200 people, 2 minutes);
`.ci/run` a short one. See docs/reliability.md for what it proves and the figures.

It starts, each on a free port and each its own: a PostgreSQL database (on the server at
LOADTEST_PG, default postgres://postgres@127.0.0.1:5432), a Redis server, gunicorn with
production settings (loadtest/settings.py), and a Celery worker; seeds the demo and the
load data; runs locust headless; stops Redis for a few seconds half-way and starts it
again; then checks that no request failed and that every autosave the server
acknowledged is in the database. Exits non-zero when either does not hold.

    .venv/bin/python loadtest/run.py --users 200 --seconds 120
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
LOCUST = str(ROOT / ".venv-load" / "bin" / "locust")
RESULTS = ROOT / "loadtest-results"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Stack:
    def __init__(self, args, work: Path):
        self.args = args
        self.work = work
        self.processes: dict[str, subprocess.Popen] = {}
        self.web_port, self.redis_port = free_port(), free_port()
        self.db_name = f"leap_load_{secrets.token_hex(3)}"
        self.pg = args.pg.rstrip("/")
        from cryptography.fernet import Fernet

        (work / "mail").mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "loadtest.settings",
            "DATABASE_URL": f"{self.pg}/{self.db_name}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "ALLOW_HTTP_SITE_URL": "1",
            "LEAP_KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "EMAIL_HOST": "127.0.0.1",
            "LOADTEST_MAIL_DIR": str(work / "mail"),
            "MEDIA_ROOT": str(work / "media"),
            "PRIVATE_MEDIA_ROOT": str(work / "private"),
            "STATIC_ROOT": str(work / "static"),
        }

    def manage(self, *command: str) -> None:
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=self.env, check=True)

    def start(self, name: str, command: list[str], **kwargs) -> None:
        with open(self.work / f"{name}.log", "ab") as output:  # the child keeps its own copy
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT, **kwargs
            )

    def redis_start(self) -> None:
        self.start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
        )
        self.wait_for(lambda: self.redis_ping(), "Redis")

    def redis_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def redis_stop(self) -> None:
        process = self.processes.pop("redis")
        process.terminate()
        process.wait(timeout=10)

    def wait_for(self, ready, what: str, seconds: int = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.3)
        raise SystemExit(f"{what} did not start within {seconds} s; see {self.work}")

    def site_ready(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.web_port}/health/"
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def up(self) -> None:
        subprocess.run(
            ["psql", self.pg + "/postgres", "-qc", f'CREATE DATABASE "{self.db_name}"'], check=True
        )
        self.redis_start()
        log(f"database {self.db_name}, Redis :{self.redis_port}; migrating and seeding")
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0")
        self.manage("seed_demo", "--allow-production")
        subprocess.run(
            [
                PYTHON,
                "-m",
                "loadtest.seed",
                "--learners",
                str(self.args.users),
                "--out",
                str(self.work / "seed.json"),
            ],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self.start(
            "gunicorn",
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "cms.wsgi",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.args.workers),
                "--threads",
                "4",
                "--timeout",
                "30",
                "--access-logfile",
                "-",
                # Behind a proxy that keeps connections open (nginx: 60 s); gunicorn's 2 s
                # default makes a client's reused connection race the server's close.
                "--keep-alive",
                "30",
                "--logger-class",
                "cms.gunicorn_logging.RedactingLogger",
            ],
        )
        self.start(
            "worker",
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "cms",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
            ],
        )
        self.wait_for(self.site_ready, "gunicorn")
        log(f"Leap is up on http://127.0.0.1:{self.web_port}")

    def down(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        subprocess.run(
            [
                "psql",
                self.pg + "/postgres",
                "-qc",
                f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)',
            ],
            check=False,
        )


def restart_redis_halfway(stack: Stack, after: float, pause: float, record: dict) -> None:
    time.sleep(after)
    log(f"stopping Redis for {pause:.0f} s")
    record["redis_stopped_at"] = time.time()
    stack.redis_stop()
    time.sleep(pause)
    stack.redis_start()
    record["redis_back_at"] = time.time()
    log("Redis is back")


LOST_WRITES_CHECK = """
import json, re
from credentials.models import Submission
acknowledged = json.load(open(PATH))
held = {
    email: json.dumps(answers)
    for email, answers in Submission.objects.filter(
        learner__email__in=list(acknowledged), state="draft"
    ).values_list("learner__email", "answers")
}
def number(text, email):
    found = re.findall(re.escape(email) + r"#(\\d+)", text or "")
    return max(map(int, found)) if found else -1
lost = [
    email
    for email, token in acknowledged.items()
    if number(held.get(email), email) < int(token.rsplit("#", 1)[1])
]
print(json.dumps(lost))
"""


def lost_writes(stack: Stack, acknowledged: dict) -> list[str]:
    """Learners whose draft holds neither their last acknowledged autosave nor a later one
    (a save the server made whose answer never reached the client is newer, not lost)."""
    path = stack.work / "acknowledged.json"
    path.write_text(json.dumps(acknowledged))
    answer = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", LOST_WRITES_CHECK.replace("PATH", repr(str(path)))],
        cwd=ROOT,
        env=stack.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def totals(stats_csv: Path) -> dict:
    with stats_csv.open() as handle:
        rows = list(csv.DictReader(handle))
    by_name = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median_ms": float(row["Median Response Time"] or 0),
            "p95_ms": float(row["95%"] or 0) if row.get("95%") not in (None, "N/A") else 0,
            "rps": float(row["Requests/s"] or 0),
        }
        for row in rows
    }
    return by_name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--redis-pause", type=float, default=5, help="seconds Redis is down")
    parser.add_argument(
        "--pg", default=os.environ.get("LOADTEST_PG", "postgres://postgres@127.0.0.1:5432")
    )
    args = parser.parse_args()
    if not Path(LOCUST).exists():
        raise SystemExit("The load generator is missing: run `make loadtest` (it installs it).")
    RESULTS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="leap-load-"))
    stack = Stack(args, work)
    record: dict = {"users": args.users, "seconds": args.seconds, "gunicorn_workers": args.workers}
    try:
        stack.up()
        stack.env["LOADTEST_DATA"] = str(work / "seed.json")
        stack.env["LOADTEST_WRITES"] = str(work / "writes.json")
        restarter = threading.Thread(
            target=restart_redis_halfway,
            args=(stack, args.seconds / 2, args.redis_pause, record),
            daemon=True,
        )
        log(f"{args.users} simulated people for {args.seconds} s")
        started = time.time()
        restarter.start()
        subprocess.run(
            [
                LOCUST,
                "-f",
                "loadtest/locustfile.py",
                "--headless",
                "--only-summary",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{stack.web_port}",
                "--csv",
                str(work / "stats"),
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=stack.env,
            check=True,
        )
        record["ran_seconds"] = round(time.time() - started, 1)
        restarter.join(timeout=30)
        acknowledged = json.loads((work / "writes.json").read_text())
        lost = lost_writes(stack, acknowledged)
        figures = totals(work / "stats_stats.csv")
        aggregated = figures.pop("Aggregated")
        record.update(
            {
                "requests": aggregated["requests"],
                "failures": aggregated["failures"],
                "requests_per_second": aggregated["rps"],
                "median_ms": aggregated["median_ms"],
                "p95_ms": aggregated["p95_ms"],
                "autosaves_acknowledged_last": len(acknowledged),
                "lost_writes": len(lost),
                "by_request": figures,
            }
        )
        failures_csv = work / "stats_failures.csv"
        if failures_csv.exists():
            shutil.copy(failures_csv, RESULTS / "failures.csv")
    finally:
        stack.down()
    (RESULTS / "summary.json").write_text(json.dumps(record, indent=2))
    log(
        f"{record.get('requests', 0)} requests, {record.get('failures', '?')} failed, "
        f"{record.get('lost_writes', '?')} acknowledged writes lost; "
        f"median {record.get('median_ms')} ms, p95 {record.get('p95_ms')} ms, "
        f"{record.get('requests_per_second')} req/s. Summary: {RESULTS / 'summary.json'}"
    )
    if record.get("failures") or record.get("lost_writes"):
        log(f"FAILED: see {RESULTS} and the logs in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
