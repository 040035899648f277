"""Starting, waiting for, measuring and stopping the benchmark's own processes (gunicorn,
nginx, a Celery worker), each on a free loopback port with its log in the run's folder."""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(ready, what: str, *, seconds: float = 60, log_file: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    where = f"; see {log_file}" if log_file else ""
    raise SystemExit(f"{what} did not start within {seconds:.0f} s{where}")


def answers(url: str, headers: dict | None = None) -> bool:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Process:
    """A child process in its own process group (so stopping it stops its children),
    writing its output to `<work>/<name>.log`."""

    def __init__(self, name: str, command: list[str], *, work: Path, env: dict | None = None):
        self.name = name
        self.log_file = work / f"{name}.log"
        with open(self.log_file, "ab") as output:  # the child keeps its own copy
            self.popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env or os.environ.copy(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tree(self) -> list[int]:
        """This process and every descendant still running."""
        found, queue = [], [self.pid]
        while queue:
            pid = queue.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                with contextlib.suppress(OSError):  # it ended meanwhile
                    queue.extend(int(p) for p in (task / "children").read_text().split())
        return found

    def peak_rss_mb(self) -> dict[str, float]:
        """Peak resident memory (VmHWM) of the process and each descendant, in MB."""
        peaks = {}
        for pid in self.tree():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[str(pid)] = round(int(line.split()[1]) / 1024, 1)
        return peaks

    def stop(self, timeout: float = 20) -> None:
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


def manage(*command: str, env: dict | None = None) -> float:
    """Run a management command in a process of its own; returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "python"), "manage.py", *command],
        cwd=ROOT,
        env=env or os.environ.copy(),
        check=True,
    )
    return time.perf_counter() - started
