"""Calendar feeds of a cohort's meetings (iCalendar, RFC 5545, written by `icalendar`).

Each membership has its own secret feed URL (`CohortMember.calendar_token`) that a
calendar app subscribes to without signing in; resetting the secret makes the old URL
answer 404. Times are stored in UTC and written with the cohort's zone (TZID plus the
zone's VTIMEZONE), so calendar apps place them right across daylight-saving changes.
"""

import datetime as dt
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.errors import LeapError
from accounts.models import User
from learning.cohorts.permissions import TAKING_PART
from learning.models import Cohort, CohortMember, CohortSession

PRODID = "-//Leap//Book-club cohorts//EN"


def cohort_zone(cohort: Cohort) -> ZoneInfo:
    try:
        return ZoneInfo(cohort.time_zone)
    except (ZoneInfoNotFoundError, ValueError):  # a zone this machine no longer knows
        return ZoneInfo(settings.TIME_ZONE)


def feed_member_get(*, token: str) -> CohortMember | None:
    """The membership whose feed this secret opens: someone taking part in (or facilitating)
    a cohort that is not cancelled, in an active district; None for anything else."""
    if not token:
        return None
    return (
        CohortMember.objects.filter(calendar_token=token, cohort__district__is_active=True)
        .filter(
            Q(state__in=TAKING_PART)
            | (Q(role=CohortMember.Role.FACILITATOR) & ~Q(state=CohortMember.State.LEFT))
        )
        .exclude(cohort__status=Cohort.Status.CANCELLED)
        .select_related("cohort", "user")
        .first()
    )


def feed_sessions(cohort: Cohort) -> QuerySet[CohortSession]:
    return CohortSession.objects.filter(cohort=cohort).order_by("starts_at", "number")


def session_uid(session: CohortSession) -> str:
    """Stable for the session whatever changes in it, so a moved meeting moves in the
    calendar instead of appearing twice."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "leap"
    return f"cohort-session-{session.pk}@{host}"


def _description(session: CohortSession) -> str:
    lines = []
    if session.reading:
        lines.append(f"Read before we meet: {session.reading}")
    if session.prompts:
        lines += ["", "Discussion prompts:"]
        lines += [f"{n}. {prompt}" for n, prompt in enumerate(session.prompts, start=1)]
    if session.video_url:
        lines += ["", f"Join online: {session.video_url}"]
    return "\n".join(lines).strip()


def _event(session: CohortSession, cohort: Cohort, zone: ZoneInfo, stamp: dt.datetime) -> Event:
    start = session.starts_at.astimezone(zone)
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=session.duration_minutes))
    event.add("summary", f"{cohort.title}: {session.number}. {session.title}")
    location = session.place or session.video_url
    if location:
        event.add("location", location)
    if session.video_url:
        event.add("url", session.video_url)
    description = _description(session)
    if description:
        event.add("description", description)
    return event


def _calendar(cohort: Cohort, sessions, name: str) -> bytes:
    zone = cohort_zone(cohort)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    for session in sessions:
        calendar.add_component(_event(session, cohort, zone, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_ics(*, member: CohortMember) -> bytes:
    """Every meeting of the member's cohort (a cancelled cohort has none)."""
    cohort = member.cohort
    sessions = [] if cohort.status == Cohort.Status.CANCELLED else feed_sessions(cohort)
    return _calendar(cohort, sessions, cohort.title)


def session_ics(*, session: CohortSession) -> bytes:
    """One meeting, to add to a calendar once."""
    return _calendar(session.cohort, [session], f"{session.cohort.title}: {session.title}")


def feed_url(member: CohortMember) -> str:
    return settings.SITE_URL + reverse("cohort_feeds:feed", args=[member.calendar_token])


@transaction.atomic
def calendar_token_reset(*, cohort: Cohort, user: User) -> CohortMember:
    """Give the user's feed of this cohort a new secret; the old URL stops working."""
    member = CohortMember.objects.select_for_update().filter(cohort=cohort, user=user).first()
    if member is None:
        raise LeapError("You have no calendar feed for this cohort: you are not taking part in it.")
    member.calendar_token = secrets.token_urlsafe(24)
    member.save(update_fields=["calendar_token"])
    return member
