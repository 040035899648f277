"""Cohorts built straight with the ORM for the feed, reminder, completion and report tests
(the services that create cohorts, sessions and posts are other modules' work)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from learning.models import Attendance, Cohort, CohortMember, CohortSession, Post
from tests.factories import BookPageFactory, DistrictFactory, UserFactory

CHICAGO = ZoneInfo("America/Chicago")


def cohort_make(home, *, district=None, sessions=(), **fields) -> Cohort:
    """A cohort for a new book, with sessions given as (local start, minutes) in its zone."""
    defaults = {
        "district": district or DistrictFactory(time_zone="America/Chicago"),
        "title": "Empowered Educators",
        "time_zone": "America/Chicago",
        "start_date": dt.date(2027, 3, 1),
        "status": Cohort.Status.OPEN,
        "book": BookPageFactory(parent=home),
        "min_attendance_percent": 75,
        "min_sessions_posted": 0,
        "requires_synthesis": False,
        "reading_hours": Decimal("2"),
    }
    cohort = Cohort.objects.create(**{**defaults, **fields})
    zone = ZoneInfo(cohort.time_zone)
    for number, (local_start, minutes) in enumerate(sessions, start=1):
        session_make(cohort, number=number, local_start=local_start, minutes=minutes, zone=zone)
    return cohort


def session_make(cohort, *, number, local_start, minutes=60, zone=CHICAGO, **fields):
    return CohortSession.objects.create(
        cohort=cohort,
        number=number,
        title=fields.pop("title", f"Chapter {number}"),
        reading=fields.pop("reading", f"Chapter {number}, pages {number * 20 - 19}–{number * 20}"),
        prompts=fields.pop(
            "prompts", [f"What stood out in chapter {number}?", "What will you try?"]
        ),
        starts_at=local_start.replace(tzinfo=zone).astimezone(dt.UTC),
        duration_minutes=minutes,
        place=fields.pop("place", "Library, room 2"),
        video_url=fields.pop("video_url", "https://meet.example/riverside-book-club"),
        **fields,
    )


def member_make(cohort, user=None, **fields) -> CohortMember:
    return CohortMember.objects.create(cohort=cohort, user=user or UserFactory(), **fields)


def facilitator_make(cohort, user=None) -> CohortMember:
    return member_make(cohort, user, role=CohortMember.Role.FACILITATOR)


def attend(session, user, status=Attendance.Status.PRESENT) -> Attendance:
    return Attendance.objects.create(
        session=session, user=user, status=status, via=Attendance.Via.FACILITATOR
    )


def post(session, user, body="I will try exit tickets.", **fields) -> Post:
    return Post.objects.create(session=session, author=user, body=body, **fields)
