"""Fetching what a badge points at, for the verifier: bounded in time and size, never to a
private address, and Leap's own URLs answered in-process.

Anyone can hand the verifier a URL, and every badge names more (its issuer, keys, status
list), so each fetch is a request Leap makes on a stranger's behalf. Hence:
- http and https only, on their default ports, and the host's every address must be
  public: no loopback, private, link-local (cloud metadata), multicast or reserved
  address. The connection goes to the address that was checked, so a name that resolves
  differently the second time (DNS rebinding) cannot slip through;
- a connect and read timeout, and a deadline for the whole body;
- at most LEAP_VERIFY_MAX_BYTES read, and redirects followed only a few times and only on
  the same host (so what a badge's URL says about who serves it stays true);
- a budget of fetches per verification and one deadline for all of them, so one badge
  cannot hold a web worker for long.

Leap's own URLs (under SITE_URL, or its did:web host) are answered by its own public views
in-process: no network, and no web worker waiting on another. Hosts named in
LEAP_VERIFY_LOCAL_HOSTS (development and tests only) may be private and plain http."""

import concurrent.futures
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import urllib3
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, QueryDict
from django.urls import Resolver404, resolve

ACCEPT_JSON = "application/ld+json, application/json;q=0.9, */*;q=0.1"
MAX_REDIRECTS = 3
USER_AGENT = "Leap badge verifier (+https://github.com/leap-edu/leap)"
_RESOLVER = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="verify-dns")


class FetchError(Exception):
    """A fetch that did not give a document; the message says why, in plain words."""


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes
    location: str = ""  # where a redirect points

    def text(self) -> str:
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FetchError(f"{self.url} did not answer with UTF-8 text.") from error


@dataclass
class Fetcher:
    """One verification's fetches: a budget, a deadline for them all, and a memory of what
    was fetched (a status list or DID document named twice is fetched once)."""

    budget: int = 12
    deadline: float = field(
        default_factory=lambda: time.monotonic() + 3 * settings.LEAP_VERIFY_TIMEOUT_SECONDS
    )
    fetched: dict[str, Fetched] = field(default_factory=dict)

    def get(self, url: str, *, accept: str = ACCEPT_JSON) -> Fetched:
        key = f"{accept} {url}"
        if key not in self.fetched:
            if self.budget <= 0:
                raise FetchError("This badge needs more fetches than Leap makes for one check.")
            self.budget -= 1
            self.fetched[key] = fetch(url, accept=accept, deadline=self.deadline)
        return self.fetched[key]


def fetch(url: str, *, accept: str = ACCEPT_JSON, deadline: float | None = None) -> Fetched:
    """GET the URL within Leap's bounds; FetchError, with the reason, when it cannot. A
    redirect is followed only on the same host; the answer names the URL it came from."""
    if deadline is None:
        deadline = time.monotonic() + 2 * settings.LEAP_VERIFY_TIMEOUT_SECONDS
    first = _checked_url(url)
    for _ in range(MAX_REDIRECTS + 1):
        parts = _checked_url(url)
        if parts.hostname != first.hostname:
            raise FetchError(f"{first.geturl()[:200]} redirects to another site.")
        if _is_own(parts):
            return _own(url, parts, accept)
        answer = _remote(url, parts, accept, deadline)
        if answer.status in (301, 302, 303, 307, 308):
            url = urljoin(url, answer.location)
            continue
        return answer
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times.")


def _checked_url(url: str):
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError as error:
        raise FetchError(f"“{url[:200]}” is not a web address Leap can read.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"“{url[:200]}” is not an http or https address.")
    if parts.username or parts.password:
        raise FetchError("Leap does not fetch addresses with a user name or password in them.")
    # "…/alice/../mallory/key" would pass a check that a key is under alice's address.
    segments = unquote(parts.path).split("/")
    if "." in segments or ".." in segments:
        raise FetchError("Leap does not fetch addresses with “.” or “..” in their path.")
    if (
        parts.port not in (None, _default_port(parts.scheme))
        and parts.hostname not in settings.LEAP_VERIFY_LOCAL_HOSTS
        and not _is_own(parts)
    ):
        raise FetchError(f"Leap fetches badges from the web's usual ports only, not {parts.port}.")
    return parts


def _site():
    return urlsplit(settings.SITE_URL)


def _is_own(parts) -> bool:
    site = _site()
    return (parts.hostname, parts.port or _default_port(parts.scheme)) == (
        site.hostname,
        site.port or _default_port(site.scheme),
    ) or (parts.scheme == "https" and parts.netloc == site.netloc)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _own(url: str, parts, accept: str) -> Fetched:
    """Ask Leap's own public view, as a client would, without the network."""
    path = parts.path or "/"
    try:
        match = resolve(path)
    except Resolver404:
        return Fetched(url, 404, "application/json", b'{"error": "not_found"}')
    if match.namespace != "credentials":
        raise FetchError(f"{url} is a page of Leap, not an Open Badges document.")
    site = _site()
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(parts.query)
    request.META = {
        "HTTP_ACCEPT": accept,
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_NAME": site.hostname,
        "SERVER_PORT": str(site.port or _default_port(site.scheme)),
        "wsgi.url_scheme": site.scheme,
    }
    request.user = AnonymousUser()
    request.leap_in_process = True  # not a client: no rate limit counts it
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except Http404:
        return Fetched(url, 404, "application/json", b'{"error": "not_found"}')
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    _check_size(url, len(body))
    return Fetched(url, response.status_code, response.get("Content-Type", ""), body)


def _check_size(url: str, size: int) -> None:
    limit = settings.LEAP_VERIFY_MAX_BYTES
    if size > limit:
        raise FetchError(f"{url} is larger than the {limit // 1_000_000} MB Leap reads.")


def address_is_public(address: str) -> bool:
    """Whether Leap may connect to this IP address on someone else's behalf: a global
    unicast address (no loopback, private, link-local, multicast or reserved one). The
    district webhooks use it too."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_addresses(host: str, port: int, *, timeout: float) -> list[str]:
    """Every address the host has (FetchError when it has none, or the resolver does not
    answer within `timeout` seconds)."""
    # In a thread, so a resolver that does not answer cannot hold the request past the
    # timeout (the thread is left to finish on its own).
    lookup = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=timeout)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise FetchError(f"The host {host} could not be found.") from error
    except concurrent.futures.TimeoutError as error:
        raise FetchError(f"The host {host} could not be looked up in time.") from error
    return [info[4][0] for info in infos]


def _resolved(host: str, port: int, local: bool) -> str:
    """The address to connect to: the host's, once every address it has is checked."""
    addresses = host_addresses(host, port, timeout=settings.LEAP_VERIFY_TIMEOUT_SECONDS)
    if not local and not all(address_is_public(address) for address in addresses):
        raise FetchError(
            f"{host} is a private or local address. Leap only fetches badges from the public web."
        )
    return addresses[0]


def _remote(url: str, parts, accept: str, deadline: float) -> Fetched:
    try:
        host = parts.hostname.encode("idna").decode("ascii")  # an international name
    except UnicodeError as error:
        raise FetchError(f"{parts.hostname} is not a host name Leap can look up.") from error
    local = parts.hostname in settings.LEAP_VERIFY_LOCAL_HOSTS
    port = parts.port or _default_port(parts.scheme)
    seconds = min(settings.LEAP_VERIFY_TIMEOUT_SECONDS, deadline - time.monotonic())
    if seconds <= 0:
        raise FetchError("Checking this badge took too long: its sites answer too slowly.")
    address = _resolved(host, port, local)
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host:  # an IPv6 literal
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    # No compression: a body is read as it arrives, bounded, never inflated on the way.
    headers = {
        "Host": host_header,
        "Accept": accept,
        "Accept-Encoding": "identity",
        "User-Agent": USER_AGENT,
    }
    try:
        response = pool.urlopen(
            "GET", target, headers=headers, redirect=False, preload_content=False
        )
        if response.status in (301, 302, 303, 307, 308):
            location = response.headers.get("Location", "")
            response.release_conn()
            if not location:
                raise FetchError(f"{url} redirects without saying where.")
            return Fetched(url, response.status, "", b"", location=location)
        body = _read_bounded(url, response, deadline=deadline)
    except urllib3.exceptions.TimeoutError as error:
        raise FetchError(
            f"{url} did not answer within {settings.LEAP_VERIFY_TIMEOUT_SECONDS:g} seconds."
        ) from error
    except urllib3.exceptions.SSLError as error:
        raise FetchError(f"{url} has no valid HTTPS certificate.") from error
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(f"{url} could not be reached.") from error
    finally:
        pool.close()
    return Fetched(url, response.status, response.headers.get("Content-Type", ""), body)


def _read_bounded(url: str, response, *, deadline: float) -> bytes:
    if response.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
        raise FetchError(f"{url} answered compressed, which Leap did not ask for.")
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and len(declared) < 20:
        _check_size(url, int(declared))
    chunks, size = [], 0
    # What has arrived, undecoded: a trickle cannot stall it.
    while chunk := response.read1(64 * 1024, decode_content=False):
        size += len(chunk)
        _check_size(url, size)
        if time.monotonic() > deadline:
            raise FetchError(f"{url} took too long to send its answer.")
        chunks.append(chunk)
    response.release_conn()
    return b"".join(chunks)
