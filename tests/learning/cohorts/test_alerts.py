"""The cohort alerts with a frozen clock (`now` passed in): the nudge a day before a
meeting to members who have not posted (at the meeting's local time, across the March
DST change), the facilitators' alert after two missed meetings in a row, and their weekly
digest on Monday 8 am cohort time (before and after DST). Each is sent once and follows
each person's e-mail choice."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import Notification, NotificationSettings
from learning.cohorts.alerts import (
    MISSED_TWO,
    NO_POST,
    WEEKLY,
    cohorts_alert_missed_meetings,
    cohorts_nudge_quiet_members,
    cohorts_send_weekly_digests,
    nudge_due_at,
    weekly_digest_due_at,
    weekly_summary,
)
from learning.models import Attendance, Cohort, Post, ReminderSent, Rsvp
from tests.factories import UserFactory
from tests.learning.cohorts.factories import (
    attend,
    cohort_make,
    facilitator_make,
    member_make,
    post,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def run(job, now, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return job(now=now)


def person(email, name):
    return UserFactory(email=email, display_name=name)


# The nudge.

# Sunday 14 March 2027, 7 pm in Chicago, hours after clocks went forward (CDT, UTC-5).
SUNDAY_MEETING = dt.datetime(2027, 3, 15, 0, 0, tzinfo=UTC)
# A day before on the wall clock: Saturday 7 pm CST (UTC-6) = 01:00 UTC, not 24 h before.
NUDGE_DUE = dt.datetime(2027, 3, 14, 1, 0, tzinfo=UTC)


def test_the_nudge_goes_a_day_before_at_local_time_once_to_quiet_members_only(
    django_capture_on_commit_callbacks,
):
    cohort = cohort_make(sessions=[(dt.datetime(2027, 3, 14, 19, 0), 60)])
    session = cohort.sessions.get()
    assert session.starts_at == SUNDAY_MEETING
    assert nudge_due_at(session=session) == NUDGE_DUE

    quiet = member_make(cohort, person("ana@school.example", "Ana Díaz"))
    talker = member_make(cohort, person("ben@school.example", "Ben Okafor"))
    post(session, talker.user)
    facilitator_make(cohort, person("fay@school.example", "Fay Lin"))
    member_make(cohort, state="left")

    assert (
        run(
            cohorts_nudge_quiet_members,
            NUDGE_DUE - dt.timedelta(minutes=1),
            django_capture_on_commit_callbacks,
        )
        == 0
    )
    assert run(cohorts_nudge_quiet_members, NUDGE_DUE, django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert message.to == ["ana@school.example"]
    assert message.subject == "Empowered Educators: share a thought before tomorrow’s meeting"
    discussion = f"/book-clubs/{cohort.pk}/sessions/{session.pk}/discussion/"
    assert settings.SITE_URL + discussion in message.body
    assert "1. What stood out in chapter 1?" in message.body
    assert "/notifications/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get(user=quiet.user).url == discussion

    # Beat again, and later the same evening: nothing new. After the meeting: nothing.
    for later in (NUDGE_DUE, NUDGE_DUE + dt.timedelta(hours=6), SUNDAY_MEETING):
        assert run(cohorts_nudge_quiet_members, later, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert list(ReminderSent.objects.values_list("kind", "user_id")) == [(NO_POST, quiet.user_id)]


def test_the_nudge_follows_the_members_email_choice(django_capture_on_commit_callbacks):
    cohort = cohort_make(sessions=[(dt.datetime(2027, 3, 14, 19, 0), 60)])
    none = member_make(cohort, person("ana@school.example", "Ana"))
    digest = member_make(cohort, person("ben@school.example", "Ben"))
    NotificationSettings.objects.create(user=none.user, email_mode="none")
    NotificationSettings.objects.create(user=digest.user, email_mode="digest")
    assert run(cohorts_nudge_quiet_members, NUDGE_DUE, django_capture_on_commit_callbacks) == 2
    assert mail.outbox == []  # Ana: in the site only; Ben: in tomorrow's digest
    assert Notification.objects.filter(user=none.user, digest_pending=False).count() == 1
    assert Notification.objects.filter(user=digest.user, digest_pending=True).count() == 1


def test_no_alerts_for_cancelled_cohorts(django_capture_on_commit_callbacks):
    cohort = cohort_make(sessions=[(dt.datetime(2027, 3, 14, 19, 0), 60)])
    member_make(cohort)
    facilitator_make(cohort)
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CANCELLED)
    for job in (cohorts_nudge_quiet_members, cohorts_send_weekly_digests):
        assert run(job, NUDGE_DUE, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


# Two missed meetings in a row.

# Weekly meetings, Mondays 7 pm in Chicago: 1 and 8 March (CST), 15 March (CDT).
WEEKLY_MEETINGS = [(dt.datetime(2027, 3, d, 19, 0), 60) for d in (1, 8, 15)]
# The 8 March meeting ends 9 March 02:00 UTC; a day later its attendance is settled.
SECOND_SETTLED = dt.datetime(2027, 3, 10, 2, 0, tzinfo=UTC)
THIRD_SETTLED = dt.datetime(2027, 3, 17, 1, 0, tzinfo=UTC)  # CDT now: an hour earlier


def test_facilitators_hear_once_when_a_member_misses_two_meetings_in_a_row(
    django_capture_on_commit_callbacks,
):
    cohort = cohort_make(sessions=WEEKLY_MEETINGS)
    first, second, third = cohort.sessions.order_by("starts_at")
    ana = member_make(cohort, person("ana@school.example", "Ana Díaz"))  # absent, then nothing
    ben = member_make(cohort, person("ben@school.example", "Ben Okafor"))  # absent, excused
    cara = member_make(cohort, person("cara@school.example", "Cara Ng"))  # present, absent
    late = member_make(cohort, person("dev@school.example", "Dev Rao"))
    late.joined_at = second.starts_at + dt.timedelta(days=1)  # joined after two meetings
    late.save()
    fay = facilitator_make(cohort, person("fay@school.example", "Fay Lin"))
    gus = facilitator_make(cohort, person("gus@school.example", "Gus Hale"))
    NotificationSettings.objects.create(user=gus.user, email_mode="none")
    attend(first, ana.user, Attendance.Status.ABSENT)
    attend(first, ben.user, Attendance.Status.ABSENT)
    attend(second, ben.user, Attendance.Status.EXCUSED)
    attend(first, cara.user, Attendance.Status.PRESENT)
    attend(second, cara.user, Attendance.Status.ABSENT)
    for facilitator in (fay, gus):  # facilitators are not counted as missing
        attend(first, facilitator.user, Attendance.Status.ABSENT)

    job = cohorts_alert_missed_meetings
    # Until a day after the second meeting, its attendance may still be taken.
    assert (
        run(job, SECOND_SETTLED - dt.timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    )
    assert run(job, SECOND_SETTLED, django_capture_on_commit_callbacks) == 2  # Fay and Gus
    [message] = mail.outbox  # Gus chose no e-mail: his is in the site only
    assert message.to == ["fay@school.example"]
    assert message.subject == "Ana Díaz has missed two Empowered Educators meetings in a row"
    assert "- Chapter 1\n- Chapter 2" in message.body
    assert f"/book-clubs/{cohort.pk}/roster/" in message.body
    assert "/notifications/unsubscribe/" in message.body
    assert Notification.objects.get(user=gus.user).message == (
        "Ana Díaz has missed two meetings in a row of Empowered Educators."
    )
    assert run(job, SECOND_SETTLED + dt.timedelta(hours=1), django_capture_on_commit_callbacks) == 0

    # Ana misses the third too: the same streak, no new alert. Ben and Cara miss it too,
    # Cara now twice in a row; Dev's first meeting is his first miss.
    for member in (ana, ben, cara, late):
        attend(third, member.user, Attendance.Status.ABSENT)
    assert run(job, THIRD_SETTLED, django_capture_on_commit_callbacks) == 2
    assert mail.outbox[-1].subject.startswith("Cara Ng has missed two")
    assert set(ReminderSent.objects.filter(kind=MISSED_TWO).values_list("key", flat=True)) == {
        f"session:{second.pk}:member:{ana.user_id}",
        f"session:{third.pk}:member:{cara.user_id}",
    }


# The facilitators' weekly digest.

# Monday 8 am in Chicago: 14:00 UTC on 8 March (CST), 13:00 UTC on 15 March (CDT).
MONDAY_8_CST = dt.datetime(2027, 3, 8, 14, 0, tzinfo=UTC)
MONDAY_8_CDT = dt.datetime(2027, 3, 15, 13, 0, tzinfo=UTC)


def test_the_weekly_digest_falls_on_monday_8am_cohort_time_across_dst():
    cohort = cohort_make()
    wednesday = dt.datetime(2027, 3, 10, 18, 0, tzinfo=UTC)
    assert weekly_digest_due_at(cohort=cohort, now=wednesday) == MONDAY_8_CST
    assert weekly_digest_due_at(cohort=cohort, now=MONDAY_8_CDT) == MONDAY_8_CDT
    # Sunday night in Chicago is already Monday in UTC: still the week before.
    sunday_night = dt.datetime(2027, 3, 15, 4, 0, tzinfo=UTC)
    assert weekly_digest_due_at(cohort=cohort, now=sunday_night) == MONDAY_8_CST


def test_the_weekly_digest_tells_facilitators_the_week_once(django_capture_on_commit_callbacks):
    # Wednesdays 7 pm: 3 March, 10 March (last week, seen from 15 March), 17 March (this week).
    cohort = cohort_make(sessions=[(dt.datetime(2027, 3, d, 19, 0), 60) for d in (3, 10, 17)])
    first, held, coming = cohort.sessions.order_by("starts_at")
    ana = member_make(cohort, person("ana@school.example", "Ana Díaz"))
    ben = member_make(cohort, person("ben@school.example", "Ben Okafor"))
    cara = member_make(cohort, person("cara@school.example", "Cara Ng"))
    fay = facilitator_make(cohort, person("fay@school.example", "Fay Lin"))
    for member in (ana, ben, cara):
        attend(first, member.user)
    attend(held, ana.user, Attendance.Status.PRESENT)
    attend(held, ben.user, Attendance.Status.LATE)
    # Cara: nothing recorded for the 10th.
    written = post(held, ana.user)
    Post.objects.filter(pk=written.pk).update(created_at=dt.datetime(2027, 3, 11, tzinfo=UTC))
    Rsvp.objects.create(session=coming, user=ana.user, answer=Rsvp.Answer.GOING)
    Rsvp.objects.create(session=coming, user=ben.user, answer=Rsvp.Answer.NOT_GOING)

    job = cohorts_send_weekly_digests
    # 7:59 am on Monday in Chicago (12:59 UTC): not yet.
    assert run(job, MONDAY_8_CDT - dt.timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert run(job, MONDAY_8_CDT, django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert message.to == ["fay@school.example"]
    assert message.subject == "Empowered Educators: your week from 15 March"
    body = message.body
    assert "- Chapter 2: 1 present, 1 late, 0 absent, 0 excused, 1 not recorded" in body
    assert "- 1 post in the discussions." in body
    assert "- Chapter 3: 1 going, 1 not going, 1 not answered yet" in body
    assert "- Ben Okafor: no post yet on “Chapter 2”" in body
    assert "- Cara Ng: at 1 of 2 meetings so far; no post yet on “Chapter 2”" in body
    assert "Ana Díaz:" not in body
    assert "/notifications/unsubscribe/" in body

    # Again this week: nothing. Next Monday: the next one.
    assert run(job, MONDAY_8_CDT + dt.timedelta(days=3), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert run(job, MONDAY_8_CDT + dt.timedelta(days=7), django_capture_on_commit_callbacks) == 1
    assert set(ReminderSent.objects.filter(kind=WEEKLY).values_list("user_id", flat=True)) == {
        fay.user_id
    }


def test_members_who_completed_count_in_the_week_and_are_never_chased(
    home, django_capture_on_commit_callbacks
):
    """Completing comes before the last meeting now: whoever completed still counts in the
    meetings' figures, is never "behind", and is not nudged to post."""
    cohort = cohort_make(sessions=[(dt.datetime(2027, 3, d, 19, 0), 60) for d in (3, 10, 17)])
    first, held, coming = cohort.sessions.order_by("starts_at")
    dee = member_make(cohort, person("dee@school.example", "Dee Park"), state="completed")
    attend(first, dee.user)
    attend(held, dee.user, Attendance.Status.ABSENT)
    facilitator_make(cohort, person("fay@school.example", "Fay Lin"))
    summary = weekly_summary(cohort=cohort, week_starts=MONDAY_8_CDT, now=MONDAY_8_CDT)
    [row] = summary["held"]
    assert (row["session"], row["absent"]) == (held, 1)
    assert summary["coming"][0]["no_answer"] == 1
    assert summary["behind"] == []
    nudge_time = nudge_due_at(session=coming)
    assert run(cohorts_nudge_quiet_members, nudge_time, django_capture_on_commit_callbacks) == 0


def test_beat_runs_the_alerts():
    from cms.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in (
        "cohorts_nudge_quiet_members",
        "cohorts_alert_missed_meetings",
        "cohorts_send_weekly_digests",
    ):
        assert f"learning.cohorts.tasks.{name}" in tasks
        assert f"learning.cohorts.tasks.{name}" in app.tasks
