"""Telling people: every notice Leap gives a person, in the site and by e-mail, goes
through `notify`, which honours their e-mail preference."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.email import email_send
from accounts.models import Notification, NotificationSettings, User


def email_wanted(*, user: User, essential: bool) -> bool:
    """Essential mail (receipts, decisions on one's own work, new review work) always goes;
    reminders and updates only while the person has not turned them off."""
    if essential:
        return True
    return not NotificationSettings.objects.filter(user=user, email_non_essential=False).exists()


def notify(
    *,
    user: User,
    message: str,
    url: str = "",
    email_template: str = "",
    context: dict | None = None,
    essential: bool = True,
) -> Notification:
    """An in-site notification (`url` is a path on this site) and, when `email_template`
    names one, an e-mail after commit, unless the notice is non-essential and the person
    turned those off. E-mail templates get `name` and `url` (absolute) besides `context`."""
    notification = Notification.objects.create(user=user, message=message[:300], url=url)
    if email_template and email_wanted(user=user, essential=essential):
        email_send(
            template=email_template,
            context={"name": user.display_name, "url": settings.SITE_URL + url, **(context or {})},
            to=[user.email],
        )
    return notification


@transaction.atomic
def notifications_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_settings_save(*, user: User, email_non_essential: bool) -> NotificationSettings:
    found, _ = NotificationSettings.objects.update_or_create(
        user=user, defaults={"email_non_essential": email_non_essential}
    )
    return found


@transaction.atomic
def email_verification_resend(*, email: str) -> bool:
    """Send a fresh confirmation link to an address waiting to be confirmed; run by a task
    (accounts.tasks.email_verification_resend), never in the request, so the answer takes
    the same time for every address. Other addresses get nothing. Returns whether a link
    was sent. The view limits how often it may be asked for."""
    address = (
        EmailAddress.objects.select_related("user")
        .filter(email__iexact=email.strip(), verified=False, user__is_active=True)
        .first()
    )
    if address is None:
        return False
    # A person with no confirmed address yet is finishing their sign-up.
    signing_up = not EmailAddress.objects.filter(user=address.user, verified=True).exists()
    address.send_confirmation(None, signup=signing_up)
    return True
