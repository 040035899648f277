"""What the book-club screens share: taking a form through a service, reporting an action
as a message, and CSV downloads. Who may see a screen is each view's own business (through
`learning.cohorts.permissions`), never these helpers'."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from accounts.errors import LeapError

T = TypeVar("T")

Said = str | Callable[[Any], str]


def _text(said: Said, result) -> str:
    return said(result) if callable(said) else said


def form_submit(
    request, form, save: Callable[[dict], T], *, done: Said, then: Said
) -> HttpResponse | None:
    """Take a POSTed form through a service. When the form is valid and `save(cleaned
    data)` goes through, say `done` and send the person to `then` (each a text, or made
    from what `save` returned; no `done` text, no message). Otherwise, or for a GET, None:
    the view shows the form again, with any refusal of the service on it."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except LeapError as error:
        error.add_to_form(form)
        return None
    if message := _text(done, result):
        messages.success(request, message)
    return redirect(_text(then, result))


def form_status(request) -> int:
    """A form shown again after a POST was refused (400); else shown to be filled in."""
    return 400 if request.method == "POST" else 200


def action_report(request, act: Callable[[], T], *, done: Said) -> bool:
    """Do `act` and say how it went: `done` (a text, or made from what `act` returned), or
    the refusal as an error. True when it went through."""
    try:
        result = act()
    except LeapError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, _text(done, result))
    return True


def csv_response(filename: str) -> HttpResponse:
    """An empty CSV download, for a writer to fill."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
