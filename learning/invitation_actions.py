"""Sending an invitation again and withdrawing it, as the district's screens and a book
club's members page both offer them: each screen finds the invitation it may change
(a 404 otherwise), then `invitation_change_apply` does it and says how it went."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages

from accounts.errors import LeapError
from learning import services
from learning.models import Invitation


@dataclass(frozen=True)
class InvitationChange:
    service: Callable[..., Invitation]
    done: str  # "{email}" is the invited address


RESEND = InvitationChange(
    services.invitation_resend,
    "Invitation sent again to {email}, with a new link; the old one no longer works.",
)
WITHDRAW = InvitationChange(
    services.invitation_revoke,
    "The invitation to {email} is withdrawn; its link no longer works.",
)


def invitation_change_apply(request, invitation: Invitation, change: InvitationChange) -> None:
    try:
        change.service(invitation=invitation)
    except LeapError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, change.done.format(email=invitation.email))
