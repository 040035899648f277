"""Sensitive actions ask people to confirm it is them: revoking a badge, bulk awards, role
and pool changes, deleting an account, exports of people's records, creating tokens.

Someone who signed in or confirmed their identity within ACCOUNT_REAUTHENTICATION_TIMEOUT
goes straight on. Anyone else is sent to allauth's confirmation page (password, or the
authenticator code when they have one) and comes back to what they were doing: a GET is
opened again, a form's POST is replayed (allauth keeps its fields in the session; a chosen
file is not kept, so upload forms are guarded on GET too, before the file is chosen).

allauth's own sensitive pages (changing e-mail, setting up two-factor) use the same rule
through AccountAdapter.is_reauthentication_required, so a fresh log-in counts there too."""

import time
from functools import wraps

from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import get_reauthentication_flows
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings


def authenticated_recently(request) -> bool:
    """Whether the person signed in, or confirmed who they are, within the timeout.
    Someone with nothing to confirm with (a Google or Microsoft account alone, no second
    factor) counts as recent, as in allauth: their provider guards their account."""
    user = request.user
    if not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    if records:
        return time.time() - records[-1]["at"] < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    return not get_reauthentication_flows(user)


def recent_authentication_required(view=None, *, methods: tuple[str, ...] = ("POST",)):
    """View decorator: requests of `methods` need a recent authentication. Use methods=
    ("GET", "POST") for downloads and for forms that upload a file."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not authenticated_recently(request):
                raise ReauthenticationRequired()
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


class RecentAuthenticationRequiredMixin:
    """The same for class-based views (Wagtail's user and group screens)."""

    reauthentication_methods: tuple[str, ...] = ("POST",)

    def dispatch(self, request, *args, **kwargs):
        if request.method in self.reauthentication_methods and not authenticated_recently(request):
            raise ReauthenticationRequired()
        return super().dispatch(request, *args, **kwargs)
