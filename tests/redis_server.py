"""A real redis-server of the test's own, on a free port, that a test may stop, start again,
freeze and thaw. The Redis that CI and the other tests share is never touched."""

import os
import shutil
import signal
import socket
import subprocess
import time

import redis

START_WITHIN_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self):
        binary = shutil.which("redis-server")
        assert binary, "these tests need the redis-server program (apt-get install redis-server)"
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        arguments = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        arguments += ["--save", "", "--appendonly", "no", "--dir", "/tmp"]
        self.process = subprocess.Popen(
            arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + START_WITHIN_SECONDS
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()  # a frozen process would not hear the request to stop
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def freeze(self) -> None:
        """The process stays, with its data, but answers nothing (as a hung server)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stored_keys(self) -> list[str]:
        client = redis.Redis.from_url(self.url, socket_timeout=1, decode_responses=True)
        try:
            return client.keys("*")
        finally:
            client.close()
