""" "You are invited to join …" on the sign-in and sign-up pages, for someone who opened an
invitation link while signed out. The session (a browser's, possibly a shared one) keeps
only the hash of the link's token, never the district or the address: the invitation is
looked up each time the note is shown, so a used, withdrawn, replaced or expired one shows
nothing. The note is forgotten when the person signs in, confirms an address or joins."""

from learning import selectors
from learning.models import Invitation

SESSION_KEY = "leap_invitation_link"


def invitation_note_remember(request, *, invitation: Invitation) -> None:
    request.session[SESSION_KEY] = invitation.token_hash


def invitation_note_forget(request) -> None:
    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:
        del session[SESSION_KEY]


def invitation_note_get(request) -> Invitation | None:
    """The open invitation this browser came from, or None (one query when there is one)."""
    session = getattr(request, "session", None)
    token_hash = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(token_hash, str) or not token_hash:
        return None
    return selectors.invitation_open_get(token_hash=token_hash)
