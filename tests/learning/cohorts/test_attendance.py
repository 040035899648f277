"""Attendance taken by the facilitator for many at once, and members checking in with the
meeting's code that changes every minute."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.errors import LeapError
from learning.cohorts import attendance
from learning.models import Attendance, CohortMember
from tests.learning.cohorts.factories import (
    cohort_make,
    facilitator_of,
    person_in,
    session_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return cohort_make()


@pytest.fixture
def meeting(cohort):
    """A meeting that started five minutes ago and lasts an hour."""
    return session_make(cohort, starts_in=-dt.timedelta(minutes=5))


def test_the_facilitator_records_many_members_at_once(cohort, meeting):
    fran = facilitator_of(cohort)
    ana, ben, cy = (person_in(cohort) for _ in range(3))
    attendance.attendance_record(
        session=meeting,
        by=fran,
        statuses={ana.pk: "present", ben.pk: "late", cy.pk: "excused"},
    )
    assert dict(Attendance.objects.values_list("user_id", "status")) == {
        ana.pk: "present",
        ben.pk: "late",
        cy.pk: "excused",
    }
    attendance.attendance_record(session=meeting, by=fran, statuses={cy.pk: "absent"})
    record = Attendance.objects.get(user=cy)
    assert record.status == "absent" and record.recorded_by == fran and record.via == "facilitator"


def test_one_wrong_entry_changes_nothing(cohort, meeting):
    fran = facilitator_of(cohort)
    ana = person_in(cohort)
    stranger = person_in(cohort_make(title="Other"))
    waiting = person_in(cohort, state=CohortMember.State.WAITING)
    for statuses, message in (
        ({ana.pk: "present", stranger.pk: "present"}, "only be taken for the cohort's members"),
        ({ana.pk: "present", waiting.pk: "present"}, "only be taken for the cohort's members"),
        ({ana.pk: "asleep"}, "Choose present, late, absent or excused"),
        ({ana.pk: "present", fran.pk: "present"}, "only be taken for the cohort's members"),
    ):
        with pytest.raises(LeapError, match=message):
            attendance.attendance_record(session=meeting, by=fran, statuses=statuses)
    assert not Attendance.objects.exists()


def test_before_the_meeting_only_excused_can_be_recorded(cohort):
    later = session_make(cohort, number=2, starts_in=dt.timedelta(days=3))
    fran, ana = facilitator_of(cohort), person_in(cohort)
    with pytest.raises(LeapError, match="has not started yet"):
        attendance.attendance_record(session=later, by=fran, statuses={ana.pk: "present"})
    attendance.attendance_record(session=later, by=fran, statuses={ana.pk: "excused"})
    assert Attendance.objects.get().status == "excused"


def test_the_code_is_six_digits_and_changes_every_minute(meeting):
    at = timezone.now()
    code = attendance.checkin_code(session=meeting, at=at)
    assert len(code) == 6 and code.isdigit()
    minute_start = at.replace(second=0, microsecond=0)
    assert attendance.checkin_code(session=meeting, at=minute_start) == attendance.checkin_code(
        session=meeting, at=minute_start + dt.timedelta(seconds=59)
    )
    codes = {
        attendance.checkin_code(session=meeting, at=minute_start + dt.timedelta(minutes=n))
        for n in range(10)
    }
    assert len(codes) >= 9  # a repeat is possible (one in a million per pair), not likely
    other = session_make(meeting.cohort, number=2, starts_in=-dt.timedelta(minutes=5))
    assert attendance.checkin_code(session=other, at=at) != code


def test_a_member_checks_in_with_the_current_or_previous_code(cohort, meeting):
    ana, ben = person_in(cohort), person_in(cohort)
    now = timezone.now()
    record = attendance.checkin_submit(
        session=meeting, user=ana, code=attendance.checkin_code(session=meeting, at=now), now=now
    )
    assert record.status == "present" and record.via == "check_in"
    previous = attendance.checkin_code(session=meeting, at=now - dt.timedelta(seconds=60))
    spaced = f"{previous[:3]} {previous[3:]}"  # as read aloud
    assert attendance.checkin_submit(session=meeting, user=ben, code=spaced, now=now).status == (
        "present"
    )


def test_a_stale_or_wrong_code_is_refused_with_a_clear_message(cohort, meeting):
    ana = person_in(cohort)
    # A moment in the meeting whose code from two minutes before differs from the two
    # accepted ones (they collide one time in a million; then the next minute is used).
    now = timezone.now()
    while True:
        stale = attendance.checkin_code(session=meeting, at=now - dt.timedelta(seconds=120))
        accepted = {
            attendance.checkin_code(session=meeting, at=now - dt.timedelta(seconds=s))
            for s in (0, 60)
        }
        if stale not in accepted:
            break
        now += dt.timedelta(seconds=60)
    with pytest.raises(LeapError) as refused:
        attendance.checkin_submit(session=meeting, user=ana, code=stale, now=now)
    assert refused.value.fields["code"] == [
        "That code is not the one on screen now: it changes every minute. "
        "Type the code shown at the meeting at this moment."
    ]
    with pytest.raises(LeapError, match="six digits"):
        attendance.checkin_submit(session=meeting, user=ana, code="12ab56", now=now)
    assert not Attendance.objects.exists()


def test_check_in_is_only_open_during_the_meeting(cohort):
    ana = person_in(cohort)
    session = session_make(cohort, starts_in=dt.timedelta(hours=1), duration_minutes=60)
    start = session.starts_at

    def check_in(at):
        code = attendance.checkin_code(session=session, at=at)
        return attendance.checkin_submit(session=session, user=ana, code=code, now=at)

    with pytest.raises(LeapError, match="opens 15 minutes before"):
        check_in(start - dt.timedelta(minutes=16))
    with pytest.raises(LeapError, match="has ended"):
        check_in(start + dt.timedelta(minutes=60))
    assert check_in(start + dt.timedelta(minutes=11)).status == "late"


def test_check_in_is_for_members_and_keeps_the_facilitators_present(cohort, meeting):
    fran, ana = facilitator_of(cohort), person_in(cohort)
    outsider = person_in(cohort_make(title="Other"))
    now = timezone.now()
    code = attendance.checkin_code(session=meeting, at=now)
    with pytest.raises(LeapError, match="Only the cohort's members"):
        attendance.checkin_submit(session=meeting, user=outsider, code=code, now=now)

    attendance.attendance_record(session=meeting, by=fran, statuses={ana.pk: "late"})
    kept = attendance.checkin_submit(session=meeting, user=ana, code=code, now=now)
    assert kept.status == "late" and kept.via == "facilitator"


def test_someone_marked_absent_who_then_checks_in_is_present(cohort, meeting):
    fran, ana = facilitator_of(cohort), person_in(cohort)
    attendance.attendance_record(session=meeting, by=fran, statuses={ana.pk: "absent"})
    now = timezone.now()
    code = attendance.checkin_code(session=meeting, at=now)
    record = attendance.checkin_submit(session=meeting, user=ana, code=code, now=now)
    assert record.status == "present" and record.via == "check_in"
    assert Attendance.objects.count() == 1
