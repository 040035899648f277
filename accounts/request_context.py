"""Where the current work comes from, for the audit log: services are not given the request,
so a middleware keeps it in a context variable for the request's duration, and Celery's
signals name the task a worker (or an in-process run) is carrying out. `current()` reads it;
`acting_as()` sets it for a block (commands, tests)."""

import ipaddress
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from celery.signals import task_postrun, task_prerun

from accounts.client_ip import client_ip

USER_AGENT_MAX = 200
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class RequestContext:
    """`request` while a web request is served; `origin` names what acts ("web", "task
    credentials.tasks.assertion_bake", "system" for a shell or command)."""

    origin: str = "system"
    request: object | None = None
    request_id: str = ""
    actor: object | None = None  # outside a request: who acts, when someone does

    @property
    def user(self):
        """The signed-in person acting, or None."""
        if self.request is not None:
            user = getattr(self.request, "user", None)
            return user if user is not None and user.is_authenticated else None
        return self.actor

    @property
    def ip(self) -> str | None:
        return address_of(self.request) if self.request is not None else None

    @property
    def user_agent(self) -> str:
        if self.request is None:
            return ""
        return self.request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


_current: ContextVar[RequestContext | None] = ContextVar("leap_request_context", default=None)
SYSTEM = RequestContext()


def current() -> RequestContext:
    return _current.get() or SYSTEM


@contextmanager
def acting_as(*, origin: str, actor=None) -> Iterator[RequestContext]:
    """Work done in the block is recorded as coming from `origin`, by `actor` (a management
    command run by an operator, a test)."""
    token = _current.set(RequestContext(origin=origin, actor=actor))
    try:
        yield current()
    finally:
        _current.reset(token)


def address_of(request) -> str | None:
    """The client's IP address, read once for the whole site by `accounts.client_ip` (through
    the proxies in LEAP_TRUSTED_PROXIES, as the rate limits read it); None when it is not an
    address at all, rather than an error page."""
    try:
        return str(ipaddress.ip_address(client_ip(request).strip()))
    except ValueError:
        return None


def _request_id(request) -> str:
    """The id a proxy gave the request (X-Request-ID), when it looks like one; else a new one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestContextMiddleware:
    """Keeps the request in the context while it is served (after AuthenticationMiddleware,
    so the signed-in person is known)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(origin="web", request=request, request_id=_request_id(request))
        token = _current.set(context)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


# Celery: a task's work is recorded as the task's, in a worker and when run in-process inside
# a request (the request's context comes back when the task ends).
_task_tokens: dict[str, Token] = {}


@task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs) -> None:
    _task_tokens[task_id] = _current.set(RequestContext(origin=f"task {task.name}"))


@task_postrun.connect
def _task_ended(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)
