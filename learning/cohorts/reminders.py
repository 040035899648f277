"""Reminders about cohort meetings, run by Celery beat (`cohorts_remind_meetings`, every
quarter hour).

Two reminders per meeting and person taking part (members who have completed come to
meetings still, so they are reminded too): one two days before, at the meeting's
own local clock time (so 7 pm stays 7 pm across a daylight-saving change), and one three
hours before. Each goes once per person and occasion even if beat runs twice or a worker
dies mid-send: a `ReminderSent` row (unique kind/key/user) is claimed in the same
transaction that records the notice and queues the e-mail on commit, so either both happen
or neither does. The e-mail is non-essential: people who turned reminders off get the
notice in the site only (`accounts.services.notify`).

RSVP links in the e-mail are attendance.rsvp_links: signed, bound to the person, the
meeting and the answer, read by the RSVP confirm page.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import notify
from learning.api import time_zone_of
from learning.cohorts.attendance import rsvp_links
from learning.cohorts.calendar import cohort_zone
from learning.cohorts.permissions import TAKING_PART
from learning.models import Cohort, CohortMember, CohortSession, ReminderSent

logger = logging.getLogger(__name__)

TWO_DAYS = "meeting-2d"
THREE_HOURS = "meeting-3h"
# No reminder for a meeting further ahead than this (keeps each run's query small).
LOOKAHEAD = dt.timedelta(days=3)


def reminder_due_at(*, kind: str, session: CohortSession) -> dt.datetime:
    """When a reminder falls due, in UTC. Two days before is counted on the cohort's wall
    clock (aware arithmetic in a ZoneInfo zone is wall-clock); three hours is elapsed time."""
    if kind == TWO_DAYS:
        local = session.starts_at.astimezone(cohort_zone(session.cohort))
        return (local - dt.timedelta(days=2)).astimezone(dt.UTC)
    if kind == THREE_HOURS:
        return session.starts_at - dt.timedelta(hours=3)
    raise ValueError(f"Unknown reminder {kind!r}.")


def _kinds_due(session: CohortSession, now: dt.datetime) -> list[str]:
    """The reminder due now for the session, if any: the latest one whose time has come
    (a two-day reminder that beat missed until three hours before is not sent late)."""
    if now >= session.starts_at:
        return []
    if now >= reminder_due_at(kind=THREE_HOURS, session=session):
        return [THREE_HOURS]
    if now >= reminder_due_at(kind=TWO_DAYS, session=session):
        return [TWO_DAYS]
    return []


def _claim(*, kind: str, session: CohortSession, user: User) -> bool:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=f"session:{session.pk}", user=user)
    except IntegrityError:  # sent already (or being sent by another run)
        return False
    return True


def _meeting_notice(*, kind: str, session: CohortSession, user: User) -> None:
    cohort = session.cohort
    zone = time_zone_of(user=user)
    local = session.starts_at.astimezone(zone)
    when = f"{local:%A %-d %B at %-I:%M %p} ({zone.key})"
    soon = "in three hours" if kind == THREE_HOURS else "in two days"
    links = rsvp_links(session=session, user=user)
    notify(
        user=user,
        message=f"{cohort.title} meets {soon}: {session.title}, {when}.",
        url=reverse("cohorts:detail", args=[cohort.pk]),
        email_template="learning/email/cohort_meeting_reminder",
        context={
            "cohort": cohort,
            "session": session,
            "soon": soon,
            "when": when,
            "prompts": session.prompts,
            "going_url": links["going"],
            "not_going_url": links["not_going"],
            "ics_url": settings.SITE_URL
            + reverse("cohort_feeds:session_ics", args=[cohort.pk, session.pk]),
        },
        essential=False,
    )


def session_remind(*, session: CohortSession, now: dt.datetime | None = None) -> int:
    """Send the reminder due now for one meeting to everyone taking part who has not had
    it; returns how many were told. One transaction per person: claim, notice, e-mail."""
    now = now or timezone.now()
    sent = 0
    for kind in _kinds_due(session, now):
        people = (
            CohortMember.objects.filter(cohort=session.cohort, state__in=TAKING_PART)
            .exclude(
                user__in=ReminderSent.objects.filter(kind=kind, key=f"session:{session.pk}").values(
                    "user"
                )
            )
            .select_related("user")
            .order_by("pk")
        )
        for member in people:
            with transaction.atomic():
                if _claim(kind=kind, session=session, user=member.user):
                    _meeting_notice(kind=kind, session=session, user=member.user)
                    sent += 1
    return sent


def cohorts_remind_meetings(*, now: dt.datetime | None = None) -> int:
    """Beat, every quarter hour: the reminders due for meetings of open cohorts."""
    now = now or timezone.now()
    sessions = CohortSession.objects.filter(
        cohort__status=Cohort.Status.OPEN,
        cohort__district__is_active=True,
        starts_at__gt=now,
        starts_at__lte=now + LOOKAHEAD,
    ).select_related("cohort")
    return sum(session_remind(session=session, now=now) for session in sessions)
