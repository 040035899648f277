"""Telling people: every notice Leap gives a person, in the site and by e-mail, goes
through `notify`, which honours their e-mail preference."""

import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.email import email_render, email_send, emails_send_on_commit
from accounts.errors import LeapError
from accounts.models import Notification, NotificationSettings, User

logger = logging.getLogger(__name__)

EmailMode = NotificationSettings.EmailMode
UNSUBSCRIBE_SALT = "leap.notifications.unsubscribe"


def email_mode_of(*, user: User) -> str:
    """How the person wants reminders and updates e-mailed (immediate until they choose)."""
    found = NotificationSettings.objects.filter(user=user).values_list("email_mode", flat=True)
    return found.first() or EmailMode.IMMEDIATE


def email_wanted(*, user: User, essential: bool) -> bool:
    """Essential mail (receipts, decisions on one's own work, new review work) always goes
    at once; reminders and updates only for people who want them as they happen."""
    if essential:
        return True
    return email_mode_of(user=user) == EmailMode.IMMEDIATE


def unsubscribe_token_make(*, user: User) -> str:
    """The token of a person's unsubscribe link: signed with its own salt (an RSVP or other
    Leap token is not one) and bound to the person, so it cannot be turned into another's.
    It does not expire: an old e-mail's link must still work."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_token_read(*, token: str) -> User:
    """The active person the token was made for; LeapError for anything else."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]), is_active=True)
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist):
        raise LeapError(
            "This unsubscribe link is not valid. Please use the link in your latest e-mail "
            "from us, or sign in and change your notification settings."
        ) from None
    return user


def unsubscribe_url(*, user: User) -> str:
    return settings.SITE_URL + reverse(
        "notifications:unsubscribe", args=[unsubscribe_token_make(user=user)]
    )


def unsubscribe_headers(*, url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs offer a one-click unsubscribe, which POSTs
    "List-Unsubscribe=One-Click" to the URL."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


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
    names one, an e-mail after commit. Essential e-mail always goes at once; a non-essential
    one follows the person's choice: at once (with an unsubscribe link and headers), in
    tomorrow's daily digest, or not at all. E-mail templates get `name`, `url` (absolute)
    and, when non-essential, `unsubscribe_url` besides `context`."""
    notice = Notice(
        user=user,
        message=message,
        url=url,
        email_template=email_template,
        context=context,
        essential=essential,
    )
    return notify_many(notices=[notice])[0]


@dataclass(frozen=True)
class Notice:
    """One notice of many (`notify_many`), with `notify`'s meaning for each field."""

    user: User
    message: str
    url: str = ""
    email_template: str = ""
    context: dict | None = None
    essential: bool = True


def notify_many(*, notices: list[Notice]) -> list[Notification]:
    """`notify` for many people at once (a bulk award): the same choices per person, with
    their preferences read in one query, the notices written in one insert and the
    e-mails queued in one more."""
    optional = {n.user.pk for n in notices if not n.essential}
    modes = dict(
        NotificationSettings.objects.filter(user_id__in=optional).values_list(
            "user_id", "email_mode"
        )
        if optional
        else []
    )
    notifications, emails = [], []
    for notice in notices:
        user = notice.user
        mode = (
            EmailMode.IMMEDIATE if notice.essential else modes.get(user.pk) or EmailMode.IMMEDIATE
        )
        notifications.append(
            Notification(
                user=user,
                message=notice.message[:300],
                url=notice.url,
                digest_pending=bool(notice.email_template) and mode == EmailMode.DIGEST,
            )
        )
        if notice.email_template and mode == EmailMode.IMMEDIATE:
            extra = {"name": user.display_name, "url": settings.SITE_URL + notice.url}
            headers = {}
            if not notice.essential:
                extra["unsubscribe_url"] = unsubscribe_url(user=user)
                headers = unsubscribe_headers(url=extra["unsubscribe_url"])
            emails.append(
                email_render(
                    template=notice.email_template,
                    context={**extra, **(notice.context or {})},
                    to=[user.email],
                    headers=headers,
                )
            )
    created = Notification.objects.bulk_create(notifications)
    emails_send_on_commit(emails)
    return created


def digest_send(*, user: User) -> int:
    """One e-mail with the person's notices waiting for the digest, which are marked as
    sent in the same transaction (the e-mail is queued on commit), so a second run sends
    nothing; returns how many notices it carried (0: no e-mail). Someone who has since chosen "none"
    gets no e-mail and their waiting notices are let go; someone who chose "immediate"
    still gets what was waiting."""
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user=user, digest_pending=True)
            .order_by("created_at", "pk")
        )
        if not waiting:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(digest_pending=False)
        if email_mode_of(user=user) == EmailMode.NONE or not user.is_active:
            return 0
        link = unsubscribe_url(user=user)
        email_send(
            template="accounts/email/digest",
            context={
                "name": user.display_name,
                "notices": [
                    {"message": n.message, "url": settings.SITE_URL + n.url if n.url else ""}
                    for n in waiting
                ],
                "notifications_url": settings.SITE_URL + reverse("notifications:list"),
                "settings_url": settings.SITE_URL + reverse("notifications:settings"),
                "unsubscribe_url": link,
            },
            to=[user.email],
            headers=unsubscribe_headers(url=link),
        )
    return len(waiting)


def digests_send() -> int:
    """Beat, daily: each person's digest, one transaction per person; returns how many
    e-mails went out."""
    people = User.objects.filter(
        pk__in=Notification.objects.filter(digest_pending=True).values("user")
    ).order_by("pk")
    sent = 0
    for user in people:
        try:
            sent += 1 if digest_send(user=user) else 0
        except Exception:  # one person's failure must not hold up everyone else's digest
            logger.exception("Could not send the digest of user %s", user.pk)
    return sent


@transaction.atomic
def notifications_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_settings_save(
    *, user: User, email_mode: str | None = None, email_non_essential: bool | None = None
) -> NotificationSettings:
    """Store the person's choice. `email_non_essential` is the older yes/no form
    (yes: immediate, no: none)."""
    if email_mode is None:
        if email_non_essential is None:
            raise LeapError("Choose how you would like reminders and updates e-mailed.")
        email_mode = EmailMode.IMMEDIATE if email_non_essential else EmailMode.NONE
    if email_mode not in EmailMode.values:
        raise LeapError("Choose one of the e-mail options shown.")
    found, _ = NotificationSettings.objects.update_or_create(
        user=user, defaults={"email_mode": email_mode}
    )
    return found


@transaction.atomic
def unsubscribe(*, token: str) -> User:
    """Stop reminders and updates by e-mail for the person the token names (a LeapError for
    a bad token, and nothing changes)."""
    user = unsubscribe_token_read(token=token)
    notification_settings_save(user=user, email_mode=EmailMode.NONE)
    return user


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
