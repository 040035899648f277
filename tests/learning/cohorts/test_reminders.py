"""Meeting reminders with a frozen clock (`now` passed in): two days before at the
meeting's local clock time, across the March DST change; three hours before; once per
person even when beat runs twice; not by e-mail to those who turned reminders off."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail, signing

from accounts.models import Notification, NotificationSettings
from learning.cohorts.attendance import RSVP_SALT, rsvp_token_make
from learning.cohorts.reminders import (
    THREE_HOURS,
    TWO_DAYS,
    cohorts_remind_meetings,
    reminder_due_at,
)
from learning.models import Cohort, CohortMember, ReminderSent
from tests.factories import DistrictFactory, MembershipFactory, UserFactory
from tests.learning.cohorts.factories import cohort_make, member_make

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Monday 15 March 2027, 7 pm in Chicago: the day after clocks go forward (CDT, UTC-5).
MEETING = dt.datetime(2027, 3, 16, 0, 0, tzinfo=UTC)
# Two days before on the wall clock: Saturday 13 March, 7 pm CST (UTC-6) = 01:00 UTC,
# not 48 hours before (which would be 6 pm local).
TWO_DAYS_DUE = dt.datetime(2027, 3, 14, 1, 0, tzinfo=UTC)
THREE_HOURS_DUE = dt.datetime(2027, 3, 15, 21, 0, tzinfo=UTC)


@pytest.fixture
def cohort(db):
    return cohort_make(sessions=[(dt.datetime(2027, 3, 15, 19, 0), 60)])


def run(now, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return cohorts_remind_meetings(now=now)


def test_reminders_fall_due_at_the_meetings_local_time_across_dst(cohort):
    session = cohort.sessions.get()
    assert session.starts_at == MEETING
    assert reminder_due_at(kind=TWO_DAYS, session=session) == TWO_DAYS_DUE
    assert reminder_due_at(kind=THREE_HOURS, session=session) == THREE_HOURS_DUE


def test_each_reminder_is_sent_once_at_its_time(cohort, django_capture_on_commit_callbacks):
    ana = member_make(cohort, UserFactory(email="ana@school.example"))
    ben = member_make(cohort, UserFactory(email="ben@school.example"))
    member_make(cohort, state=CohortMember.State.LEFT)
    member_make(cohort, state=CohortMember.State.WAITING)

    assert run(TWO_DAYS_DUE - dt.timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert run(TWO_DAYS_DUE, django_capture_on_commit_callbacks) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@school.example", "ben@school.example"]
    assert all("meets in two days" in m.subject for m in mail.outbox)
    # Beat runs again (twice in the same quarter hour, and later the same day): nothing new.
    assert run(TWO_DAYS_DUE, django_capture_on_commit_callbacks) == 0
    assert run(TWO_DAYS_DUE + dt.timedelta(hours=5), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2

    assert run(THREE_HOURS_DUE - dt.timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    assert run(THREE_HOURS_DUE, django_capture_on_commit_callbacks) == 2
    assert run(THREE_HOURS_DUE + dt.timedelta(minutes=15), django_capture_on_commit_callbacks) == 0
    assert [m.subject for m in mail.outbox[2:]] == [
        "Empowered Educators meets in three hours: Chapter 1"
    ] * 2
    # Once the meeting has begun, nothing more.
    assert run(MEETING, django_capture_on_commit_callbacks) == 0
    assert set(ReminderSent.objects.values_list("kind", "user_id")) == {
        (TWO_DAYS, ana.user_id),
        (TWO_DAYS, ben.user_id),
        (THREE_HOURS, ana.user_id),
        (THREE_HOURS, ben.user_id),
    }


def test_a_claimed_reminder_is_not_sent_again_after_a_crash(
    cohort, django_capture_on_commit_callbacks
):
    ana = member_make(cohort)
    # A worker claimed Ana's reminder and committed, then died: the claim stands.
    ReminderSent.objects.create(
        kind=TWO_DAYS, key=f"session:{cohort.sessions.get().pk}", user=ana.user
    )
    assert run(TWO_DAYS_DUE, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_people_who_turned_reminders_off_get_the_notice_but_no_email(
    cohort, django_capture_on_commit_callbacks
):
    quiet = member_make(cohort)
    NotificationSettings.objects.create(user=quiet.user, email_non_essential=False)
    assert run(TWO_DAYS_DUE, django_capture_on_commit_callbacks) == 1
    assert mail.outbox == []
    notice = Notification.objects.get(user=quiet.user)
    assert notice.message.startswith("Empowered Educators meets in two days: Chapter 1")


def test_the_email_has_the_members_time_the_reading_prompts_place_and_rsvp_links(
    cohort, django_capture_on_commit_callbacks
):
    # Ana works in New York: 7 pm in Chicago is 8 pm for her.
    ana = UserFactory(email="ana@school.example")
    MembershipFactory(user=ana, district=DistrictFactory(time_zone="America/New_York"))
    member_make(cohort, ana)
    run(TWO_DAYS_DUE, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    body = message.body
    assert "Monday 15 March at 8:00 PM (America/New_York)" in body
    assert "Read before we meet: Chapter 1, pages 1–20" in body
    assert "1. What stood out in chapter 1?" in body and "2. What will you try?" in body
    assert "Where: Library, room 2" in body
    assert "Join online: https://meet.example/riverside-book-club" in body
    session = cohort.sessions.get()
    links = dict(re.findall(r"(I'm going|I can't make it): (\S+)", body))
    tokens = {k: v.rstrip("/").rsplit("/", 1)[-1] for k, v in links.items()}
    assert links["I'm going"].startswith(settings.SITE_URL + "/book-clubs/rsvp/")
    assert signing.loads(tokens["I'm going"], salt=RSVP_SALT) == {
        "u": ana.pk,
        "s": session.pk,
        "a": "going",
    }
    assert signing.loads(tokens["I can't make it"], salt=RSVP_SALT)["a"] == "not_going"
    # Another salt does not read it, and Ana's signature does not carry Ben's answer.
    with pytest.raises(signing.BadSignature):
        signing.loads(tokens["I'm going"], salt="another.salt")
    ben = UserFactory()
    bens = rsvp_token_make(session=session, user=ben, answer="going")
    forged = bens.rsplit(":", 1)[0] + ":" + tokens["I'm going"].rsplit(":", 1)[1]
    with pytest.raises(signing.BadSignature):
        signing.loads(forged, salt=RSVP_SALT)


def test_no_reminders_for_cancelled_or_draft_cohorts(cohort, django_capture_on_commit_callbacks):
    member_make(cohort)
    for status in (Cohort.Status.CANCELLED, Cohort.Status.DRAFT):
        Cohort.objects.filter(pk=cohort.pk).update(status=status)
        assert run(TWO_DAYS_DUE, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_beat_runs_the_cohort_tasks():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "learning.cohorts.tasks.cohorts_remind_meetings",
        "learning.cohorts.tasks.cohorts_completion_check",
    } <= tasks
    from cms.celery import app

    app.loader.import_default_modules()
    assert "learning.cohorts.tasks.cohorts_remind_meetings" in app.tasks


def test_members_who_completed_are_still_reminded(cohort, django_capture_on_commit_callbacks):
    """They completed before the last meeting and are welcome at it."""
    member_make(cohort, UserFactory(email="cai@school.example"), state=CohortMember.State.COMPLETED)
    assert run(TWO_DAYS_DUE, django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["cai@school.example"]]
