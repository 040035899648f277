"""The wire side of the district webhooks, without the database: which addresses Leap
sends to, how a delivery is signed, and one POST.

Each delivery is a request Leap makes to an address a district admin typed, so it is held
to the rules of the badge verifier's fetches (credentials.verification.fetch): https only;
every address the host has must be public (no loopback, private, link-local such as cloud
metadata, multicast or reserved one), checked as the endpoint is added and again at each
delivery; the connection goes to the address that was checked (a name that resolves
differently the second time cannot slip through); no redirect is followed; a timeout;
only the start of the answer is read. Hosts named in LEAP_WEBHOOK_LOCAL_HOSTS (development
and tests only) may be plain http on a private or local address."""

import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from credentials.verification.fetch import FetchError, address_is_public, host_addresses

USER_AGENT = "Leap-Webhooks/1"
SIGNATURE_VERSION = "v1"
# What is kept of an answer's body (characters), and the most read of it (bytes).
BODY_KEPT = 2000
BODY_READ = 16 * 1024


class WebhookAddressError(Exception):
    """An address Leap does not send to; the message says why, in plain words."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as sent (an international name in its ASCII form)
    port: int
    address: str  # the checked IP address to connect to
    path: str  # with its query

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


# The ports a webhook may use, on hosts other than LEAP_WEBHOOK_LOCAL_HOSTS: web servers
# only, never a mail server or another service that might trust Leap's address.
HTTPS_PORTS = (443, 8443)


def is_local_host(url: str) -> bool:
    return (urlsplit(url).hostname or "") in settings.LEAP_WEBHOOK_LOCAL_HOSTS


def webhook_target(url: str) -> Target:
    """Where a delivery to `url` goes, once every rule is checked (WebhookAddressError
    with the reason when one fails). Looks the host up."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise WebhookAddressError("This is not a web address Leap can send to.") from error
    local = (parts.hostname or "") in settings.LEAP_WEBHOOK_LOCAL_HOSTS
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise WebhookAddressError(
            "Use an https:// address: deliveries carry your members' records, so they "
            "travel encrypted."
        )
    if not parts.hostname:
        raise WebhookAddressError("The address needs a host name, e.g. https://sis.example.org/…")
    if parts.username or parts.password:
        raise WebhookAddressError(
            "Leave the user name and password out of the address: Leap signs every "
            "delivery instead (see the signing secret)."
        )
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise WebhookAddressError(
            f"{parts.hostname} is not a host name Leap can look up."
        ) from error
    port = port or (443 if parts.scheme == "https" else 80)
    if not local and port not in HTTPS_PORTS:
        raise WebhookAddressError(
            f"Use port 443 (the https default) or 8443, not {port}: Leap posts only to web servers."
        )
    try:
        addresses = host_addresses(host, port, timeout=settings.LEAP_WEBHOOK_TIMEOUT_SECONDS)
    except FetchError as error:
        raise WebhookAddressError(str(error)) from error
    if not local and not all(address_is_public(address) for address in addresses):
        raise WebhookAddressError(
            f"{parts.hostname} is a private or local address. Leap sends webhooks only to "
            "addresses on the public internet."
        )
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(parts.scheme, host, port, addresses[0], path)


def webhook_url_problem(url: str) -> str | None:
    """Why Leap would not send to `url`, or None when it would."""
    try:
        webhook_target(url)
    except WebhookAddressError as error:
        return str(error)
    return None


def url_for_display(url: str) -> str:
    """The address without its query (which may carry a token of the receiver's), for
    logs and the audit log."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:300]


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`v1=` and the hex HMAC-SHA256, keyed with the endpoint's secret, of
    "<timestamp>.<body>": what the receiver computes to check a delivery."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={digest.hexdigest()}"


@dataclass(frozen=True)
class Answer:
    """How one POST went: the status and the start of the body, or why there was none."""

    status: int | None = None
    body: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def webhook_post(*, url: str, event_id: str, body: bytes, secret: str) -> Answer:
    """POST the body, signed now, to the URL within Leap's bounds. Never raises: every
    failure is an Answer with its reason."""
    try:
        target = webhook_target(url)
    except WebhookAddressError as error:
        return Answer(error=str(error))
    timestamp = int(time.time())
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "identity",
        "Leap-Webhook-Id": event_id,
        "Leap-Webhook-Timestamp": str(timestamp),
        "Leap-Webhook-Signature": webhook_signature(secret=secret, timestamp=timestamp, body=body),
    }
    seconds = settings.LEAP_WEBHOOK_TIMEOUT_SECONDS
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address, target.port, timeout=timeout, retries=False
        )
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers=headers,
            redirect=False,
            preload_content=False,
        )
        content = _read_start(response, deadline=time.monotonic() + seconds)
    except urllib3.exceptions.TimeoutError:
        return Answer(error=f"No answer within {seconds:g} seconds.")
    except urllib3.exceptions.SSLError:
        return Answer(error="The endpoint has no valid HTTPS certificate for its host name.")
    except urllib3.exceptions.HTTPError as error:
        reason = getattr(error, "reason", None) or error
        return Answer(error=f"Could not connect: {reason}"[:500])
    finally:
        pool.close()
    text = content.decode("utf-8", errors="replace")[:BODY_KEPT]
    if 300 <= response.status < 400:
        location = response.headers.get("Location", "")[:300]
        return Answer(
            status=response.status,
            body=text,
            error=f"It redirected to {location or 'another address'}; Leap does not follow "
            "redirects. Give the final address.",
        )
    return Answer(status=response.status, body=text)


def _read_start(response, *, deadline: float) -> bytes:
    """The first BODY_READ bytes of the answer, as they arrive (a trickle cannot hold the
    worker past the deadline); the rest is not read."""
    chunks, size = [], 0
    while size < BODY_READ and time.monotonic() < deadline:
        chunk = response.read1(BODY_READ - size, decode_content=False)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    response.close()
    return b"".join(chunks)
