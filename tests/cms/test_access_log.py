"""gunicorn's access log, as the Dockerfile runs it, keeps no secret that a link carries."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cms.gunicorn_logging import redact

ROOT = Path(__file__).resolve().parents[2]


def hello(environ, start_response):
    """A WSGI app for the real gunicorn below: the log line is what is under test."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_each_kind_of_secret_link_is_redacted():
    assert redact("GET /accounts/password/reset/key/3f-ab12cd/ HTTP/1.1") == (
        "GET /accounts/password/reset/key/[redacted]/ HTTP/1.1"
    )
    # allauth's key-less address after the first visit stays readable.
    assert redact("/accounts/password/reset/key/3f-set-password/") == (
        "/accounts/password/reset/key/3f-set-password/"
    )
    assert redact("/accounts/confirm-email/Mjk:1tZ:abc/") == "/accounts/confirm-email/[redacted]/"
    assert redact("/join/8nX2-secret/") == "/join/[redacted]/"
    assert redact("/join/") == "/join/"  # the join-code page has no token
    assert redact("/notifications/unsubscribe/eyJ1Ijo/") == "/notifications/unsubscribe/[redacted]/"
    assert redact("/book-clubs/rsvp/abc:def/") == "/book-clubs/rsvp/[redacted]/"
    assert redact("/book-clubs/calendar/s3cr3t.ics") == "/book-clubs/calendar/[redacted]"
    assert redact("/accounts/google/login/callback/?state=xyz&code=4/0Ab") == (
        "/accounts/google/login/callback/?state=[redacted]&code=[redacted]"
    )
    assert redact("GET /my/badges/ HTTP/1.1") == "GET /my/badges/ HTTP/1.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_writes_the_redacted_line(tmp_path):
    port, log = free_port(), tmp_path / "access.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tests.cms.test_access_log:hello",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "--logger-class",
            "cms.gunicorn_logging.RedactingLogger",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/accounts/password/reset/key/3f-k3y-0f-the-owner/"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(50):
            if log.exists() and log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    line = log.read_text()
    assert "/accounts/password/reset/key/[redacted]/" in line
    assert "k3y-0f-the-owner" not in line
