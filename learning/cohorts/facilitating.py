"""The facilitator's writing to the group: messages to the whole cohort and a summary
after each meeting.

A message goes to everyone taking part (members and the other facilitators, active or
completed) as a notification and an e-mail. It is sent as *essential*: it comes from the
person running a group the member chose to join, and it is how a facilitator says that a
meeting moved or the room changed, so someone who turned off optional e-mail (nudges,
digests) still gets it. Leap never sends these on its own: a person writes each one.

Services are keyword-only, run in one transaction, and raise `LeapError` with sentences
for the person, changing nothing, when they cannot do what was asked. Who may call them
is checked by the views (`learning.cohorts.permissions.cohort_for_facilitator`).
"""

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.errors import LeapError
from accounts.models import User
from accounts.services import notify
from learning.cohorts.permissions import TAKING_PART
from learning.models import Cohort, CohortMember, CohortMessage, CohortSession

SUBJECT_MAX = CohortMessage._meta.get_field("subject").max_length
BODY_MAX = 10_000
SUMMARY_MAX = 10_000
MESSAGE_EMAIL = "learning/cohorts/email/message"


def _name(user: User | None) -> str:
    if user is None:
        return "A facilitator"
    return user.display_name or user.email


@transaction.atomic
def cohort_message_send(
    *, cohort: Cohort, author: User, subject: str, body: str
) -> tuple[CohortMessage, int]:
    """Save the message and tell everyone taking part (except its author); returns the
    message and how many people were told."""
    subject, body = " ".join((subject or "").split()), (body or "").strip()
    problems: dict[str, list[str]] = {}
    if not subject:
        problems["subject"] = ["Give your message a subject, so people know what it is about."]
    elif len(subject) > SUBJECT_MAX:
        problems["subject"] = [f"Keep the subject to {SUBJECT_MAX} characters or fewer."]
    if not body:
        problems["body"] = ["Write the message before sending it."]
    elif len(body) > BODY_MAX:
        problems["body"] = [
            f"The message is {len(body):,} characters long; keep it to {BODY_MAX:,} or fewer."
        ]
    if problems:
        raise LeapError(fields=problems)
    if cohort.status == Cohort.Status.CANCELLED:
        raise LeapError(f"“{cohort.title}” was cancelled, so there is no one to write to.")
    message = CohortMessage.objects.create(cohort=cohort, author=author, subject=subject, body=body)
    recipients = (
        CohortMember.objects.filter(cohort=cohort, state__in=TAKING_PART)
        .exclude(user=author)
        .select_related("user")
        .order_by("pk")
    )
    url = reverse("cohorts:detail", args=[cohort.pk]) + f"#message-{message.pk}"
    told = 0
    for place in recipients:
        notify(
            user=place.user,
            message=f"{_name(author)} wrote to “{cohort.title}”: {subject}",
            url=url,
            email_template=MESSAGE_EMAIL,
            context={
                "cohort_title": cohort.title,
                "author": _name(author),
                "subject": subject,
                "body": body,
            },
            essential=True,
        )
        told += 1
    return message, told


def cohort_message_list(*, cohort: Cohort, limit: int | None = None) -> QuerySet[CohortMessage]:
    """The cohort's messages, newest first, with their authors."""
    messages = (
        CohortMessage.objects.filter(cohort=cohort)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    return messages[:limit] if limit else messages


def summary_can_be_written(session: CohortSession, now: dt.datetime | None = None) -> bool:
    return session.starts_at <= (now or timezone.now())


@transaction.atomic
def session_summary_save(
    *, session: CohortSession, summary: str, now: dt.datetime | None = None
) -> CohortSession:
    """Save (or, with an empty text, remove) the facilitator's summary of a meeting that
    has started."""
    summary = (summary or "").strip()
    if not summary_can_be_written(session, now):
        raise LeapError(
            "This meeting has not started yet. Write its summary once the group has met."
        )
    if len(summary) > SUMMARY_MAX:
        raise LeapError(
            fields={
                "summary": [
                    f"The summary is {len(summary):,} characters long; "
                    f"keep it to {SUMMARY_MAX:,} or fewer."
                ]
            }
        )
    CohortSession.objects.filter(pk=session.pk).update(summary=summary)
    session.summary = summary
    return session
