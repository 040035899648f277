"""A real HTTP receiver for the webhook tests: http.server on loopback in a thread, keeping
every request it gets. It answers 500 to the first `fail_first` requests (or to all while
`failing` is set), then 200."""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """The receiver's check, as docs/webhooks.md gives it."""
        timestamp = self.headers["Leap-Webhook-Timestamp"]
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + self.body, hashlib.sha256)
        return hmac.compare_digest(
            "v1=" + expected.hexdigest(), self.headers["Leap-Webhook-Signature"]
        )


class WebhookReceiver:
    def __init__(self, *, fail_first: int = 0):
        self.fail_first = fail_first
        self.failing = False
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
                    number = len(receiver.received)
                fail = receiver.failing or number <= receiver.fail_first
                answer = b"Something went wrong here" if fail else b'{"ok": true}'
                self.send_response(500 if fail else 200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/leap"

    def start(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def count(self) -> int:
        with self._lock:
            return len(self.received)
