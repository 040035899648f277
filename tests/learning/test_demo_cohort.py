"""Keeping the demo's running book club current: how far behind it is, and moving all of
its times by whole weeks at the same local clock time, across a daylight-saving change."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from learning.demo_cohort import club_move, weeks_behind
from learning.models import Attendance, CohortMember, CreditEntry, Post, Rsvp
from tests.factories import UserFactory
from tests.learning.cohorts.factories import attend, cohort_make, member_make, post

CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.UTC


@pytest.fixture
def home(db):
    from cms.demo import site_tree_ensure

    return site_tree_ensure()


@pytest.fixture
def club(home):
    """Wednesdays at 4 pm in Chicago: 24 February (held) and 3 March 2027, before the
    clocks go forward on 14 March."""
    cohort = cohort_make(
        sessions=[(dt.datetime(2027, 2, 24, 16, 0), 60), (dt.datetime(2027, 3, 3, 16, 0), 60)]
    )
    return cohort, *cohort.sessions.order_by("number")


def local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(CHICAGO).replace(tzinfo=None)


def test_the_club_is_behind_once_its_next_meeting_has_started(club):
    cohort, held, upcoming = club
    reader = member_make(cohort).user
    attend(held, reader)
    attend(upcoming, reader, Attendance.Status.EXCUSED)  # excused ahead: not yet taken
    assert weeks_behind(cohort, upcoming.starts_at - dt.timedelta(minutes=1)) == 0
    assert weeks_behind(cohort, upcoming.starts_at) == 1
    # 17 March at 4:30 pm CDT: two weeks on would be 4 pm that day, already started.
    assert weeks_behind(cohort, dt.datetime(2027, 3, 17, 21, 30, tzinfo=UTC)) == 3
    assert weeks_behind(cohort, dt.datetime(2027, 3, 17, 20, 30, tzinfo=UTC)) == 2
    Attendance.objects.filter(session=upcoming).update(status=Attendance.Status.ABSENT)
    assert weeks_behind(cohort, dt.datetime(2030, 1, 1, tzinfo=UTC)) == 0  # all taken: over


def test_moving_the_club_keeps_every_time_at_its_local_clock_time(club):
    cohort, held, upcoming = club
    ana = member_make(cohort, UserFactory(display_name="Ana Díaz"))
    attend(held, ana.user)
    written = post(held, ana.user)
    Post.objects.filter(pk=written.pk).update(created_at=held.starts_at + dt.timedelta(minutes=90))
    Rsvp.objects.create(session=upcoming, user=ana.user, answer=Rsvp.Answer.GOING)
    completed_at = held.starts_at + dt.timedelta(hours=2)
    CohortMember.objects.filter(pk=ana.pk).update(state="completed", completed_at=completed_at)
    club_entry, other = (
        CreditEntry.objects.create(
            user=ana.user,
            source="cohort",
            source_key=f"cohort:{key}",
            title="A book club",
            hours=Decimal("3"),
            earned_on=dt.date(2027, 2, 24),
        )
        for key in (cohort.pk, cohort.pk + 1)  # this club's line, and another club's
    )

    club_move(cohort, 2)
    held.refresh_from_db()
    upcoming.refresh_from_db()
    # Across the change to daylight saving time: still 4 pm in Chicago, a fortnight on.
    assert local(held.starts_at) == dt.datetime(2027, 3, 10, 16, 0)
    assert local(upcoming.starts_at) == dt.datetime(2027, 3, 17, 16, 0)
    assert upcoming.starts_at == dt.datetime(2027, 3, 17, 21, 0, tzinfo=UTC)
    assert local(Post.objects.get().created_at) == dt.datetime(2027, 3, 10, 17, 30)
    place = CohortMember.objects.get(pk=ana.pk)
    assert local(place.completed_at) == dt.datetime(2027, 3, 10, 18, 0)
    assert Rsvp.objects.get().updated_at > Attendance.objects.get().recorded_at
    cohort.refresh_from_db()
    assert cohort.start_date == dt.date(2027, 3, 15)
    club_entry.refresh_from_db()
    other.refresh_from_db()
    assert (club_entry.earned_on, other.earned_on) == (dt.date(2027, 3, 10), dt.date(2027, 2, 24))
