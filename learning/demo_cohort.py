"""Demo book clubs in the demo district, for the demo book ("The Quiet Rollout"):

- a running club led by the facilitator account (Grace Liu), with the demo learner (Maya)
  and four colleagues: three weekly meetings already held and three ahead, counted from
  the day the demo is first seeded; RSVPs, attendance, posts and replies, the
  facilitator's summaries of the meetings held, and a message to the group;
- an earlier group, finished, in which one colleague (Jordan Ellis) completed: their
  completion is decided by `completion_check`, so the credit on their transcript is the
  rule's own.

Demo-only path: the schedule service refuses meetings in the past (rightly, for people),
so the meetings already held, and what happened at them (attendance, posts, RSVPs), are
written straight to the tables here, then backdated. Each club is made once, found again
by its title: running seed_demo again changes nothing, and editors' or facilitators'
changes to it are kept.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import User
from cms.models import BookPage
from learning.cohorts import schedule
from learning.cohorts.completion import completion_check
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortMessage,
    CohortSession,
    District,
    Membership,
    Post,
    Rsvp,
)

DEMO_BOOK_SLUG = "the-quiet-rollout"
RUNNING_TITLE = "Spring book club: The Quiet Rollout"
FINISHED_TITLE = "Autumn book club: The Quiet Rollout"
# Colleagues in the demo district who read along (they do not sign in: no password).
COLLEAGUES = [
    ("jordan.ellis@riverside.example", "Jordan Ellis"),
    ("amira.haddad@riverside.example", "Amira Haddad"),
    ("luis.ortega@riverside.example", "Luis Ortega"),
    ("hannah.kim@riverside.example", "Hannah Kim"),
]
MEETING_TIME = dt.time(16, 0)  # after school, in the district's time zone
P, L, A, E = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
)


def _colleague(district: District, email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, display_name=name, is_active=True)
        user.set_unusable_password()
        user.save()
    Membership.objects.get_or_create(
        user=user,
        district=district,
        defaults={"role": Membership.Role.LEARNER, "is_active": True, "joined_via": "admin"},
    )
    return user


def _sessions(cohort: Cohort, book: BookPage, days: list[int], zone: ZoneInfo) -> list:
    """One meeting a week from the book's sections, `days` from today (negative: held)."""
    units = schedule.book_units(book.sections.raw_data)
    today = timezone.now().astimezone(zone).date()
    sessions = []
    for number, (unit, offset) in enumerate(zip(units, days, strict=False), start=1):
        local = dt.datetime.combine(today + dt.timedelta(days=offset), MEETING_TIME, zone)
        sessions.append(
            CohortSession.objects.create(
                cohort=cohort,
                number=number,
                title=unit.title,
                reading=unit.reading,
                covers=unit.covers,
                prompts=unit.prompts,
                starts_at=local.astimezone(dt.UTC),
                duration_minutes=60,
                place="Riverside High School, library",
                video_url="https://meet.example/riverside-book-club",
            )
        )
    return sessions


def _cohort(district, book, title, facilitator, first_day: dt.date, status) -> Cohort:
    return Cohort.objects.create(
        district=district,
        title=title,
        book=book,
        description=(
            "We read a chapter a week and meet for an hour after school to talk about what we "
            "would try in our own schools."
        ),
        time_zone=district.time_zone,
        start_date=first_day,
        visibility=Cohort.Visibility.DISTRICT,
        status=status,
        min_attendance_percent=75,
        min_sessions_posted=1,
        requires_synthesis=True,
        reading_hours=Decimal("2.0"),
        created_by=facilitator,
    )


def _place(cohort, user, role=CohortMember.Role.MEMBER) -> CohortMember:
    return CohortMember.objects.create(
        cohort=cohort,
        user=user,
        role=role,
        state=CohortMember.State.ACTIVE,
        joined_at=cohort.sessions.order_by("starts_at").first().starts_at - dt.timedelta(days=5),
    )


def _post(session, author, body, *, parent=None, synthesis=False, after_minutes=90) -> Post:
    post = Post.objects.create(
        session=session, author=author, body=body, parent=parent, is_synthesis=synthesis
    )
    when = session.starts_at + dt.timedelta(minutes=after_minutes)
    Post.objects.filter(pk=post.pk).update(created_at=when)
    return post


def _attend(session, marks: dict, by: User) -> None:
    for user, status in marks.items():
        Attendance.objects.create(
            session=session,
            user=user,
            status=status,
            via=Attendance.Via.FACILITATOR,
            recorded_by=by,
        )


def _running_ensure(district, book, facilitator, maya, people) -> Cohort | None:
    if Cohort.objects.filter(district=district, title=RUNNING_TITLE).exists():
        return None
    zone = ZoneInfo(district.time_zone)
    days = [-21, -14, -7, 7, 14, 21]
    first_day = timezone.now().astimezone(zone).date() + dt.timedelta(days=days[0])
    cohort = _cohort(district, book, RUNNING_TITLE, facilitator, first_day, Cohort.Status.OPEN)
    sessions = _sessions(cohort, book, days, zone)
    _place(cohort, facilitator, CohortMember.Role.FACILITATOR)
    jordan, amira, luis, hannah = people
    for user in (maya, *people):
        _place(cohort, user)
    held, ahead = sessions[:3], sessions[3:]
    marks = [
        {maya: P, jordan: P, amira: P, luis: L, hannah: P},
        {maya: P, jordan: P, amira: E, luis: P, hannah: A},
        {maya: L, jordan: P, amira: P, luis: P, hannah: A},
    ]
    for session, mark in zip(held, marks, strict=True):
        for user in mark:
            answer = Rsvp.Answer.NOT_GOING if mark[user] in (A, E) else Rsvp.Answer.GOING
            Rsvp.objects.create(session=session, user=user, answer=answer)
        _attend(session, mark, facilitator)
    for user in (jordan, amira):  # Maya's answer for the next meeting is hers to give
        Rsvp.objects.create(session=ahead[0], user=user, answer=Rsvp.Answer.GOING)
    Rsvp.objects.create(session=ahead[0], user=luis, answer=Rsvp.Answer.NOT_GOING)

    one, two, three = held
    first = _post(
        one,
        maya,
        "What struck me is how the rollout plan starts with **teachers' questions**, not "
        "devices. We skipped that step last time.",
    )
    _post(
        one,
        jordan,
        "Same here. Our help desk log would have told us what people were stuck on.",
        parent=first,
        after_minutes=150,
    )
    _post(one, amira, "I'd like to try the *listening tour* before our spring training.")
    thread = _post(
        two,
        luis,
        "The chapter's checklist for charging carts is one I can use tomorrow:\n\n"
        "- label the slots\n- a student job to check them\n- a spare-device shelf",
    )
    _post(two, maya, "Stealing the student job idea for the middle school.", parent=thread)
    _post(three, jordan, "Our pilot classrooms should share what failed, not just what worked.")
    one.summary = (
        "Five of us met. We agreed that our own rollout skipped asking teachers what they "
        "needed. Before next week, each of us will ask two colleagues one question: "
        "*what would make the laptops worth the trouble?*"
    )
    two.summary = (
        "We shared what we heard from colleagues: time to practise came up most. Luis "
        "showed his charging-cart checklist; Amira will share the listening-tour notes."
    )
    for session in (one, two):
        session.save(update_fields=["summary"])
    message = CohortMessage.objects.create(
        cohort=cohort,
        author=facilitator,
        subject="Next week: we meet in the library, not room 12",
        body=(
            "Hello everyone,\n\nThe library is ours again from next week. Bring your notes on "
            f"**{ahead[0].reading or ahead[0].title}**, and a snack if you like.\n\nGrace"
        ),
    )
    CohortMessage.objects.filter(pk=message.pk).update(
        created_at=three.starts_at + dt.timedelta(days=1)
    )
    return cohort


def _finished_ensure(district, book, facilitator, people) -> Cohort | None:
    """An earlier group, all of whose meetings are over: Jordan met the rule and completed."""
    if Cohort.objects.filter(district=district, title=FINISHED_TITLE).exists():
        return None
    zone = ZoneInfo(district.time_zone)
    days = [-119, -112, -105]
    first_day = timezone.now().astimezone(zone).date() + dt.timedelta(days=days[0])
    cohort = _cohort(district, book, FINISHED_TITLE, facilitator, first_day, Cohort.Status.OPEN)
    sessions = _sessions(cohort, book, days, zone)
    _place(cohort, facilitator, CohortMember.Role.FACILITATOR)
    jordan, _amira, luis, _hannah = people
    for user in (jordan, luis):
        _place(cohort, user)
    for session in sessions:
        _attend(session, {jordan: P, luis: A if session.number > 1 else P}, facilitator)
    _post(sessions[0], jordan, "I want our coaches in the pilot rooms in week one.")
    _post(sessions[0], luis, "Week one is always the hardest. Agreed.")
    _post(
        sessions[-1],
        jordan,
        "What I will change: every new rollout at my school starts with a two-week "
        "listening tour, and the pilot teachers share what failed at a staff meeting.",
        synthesis=True,
    )
    for place in CohortMember.objects.filter(cohort=cohort, role=CohortMember.Role.MEMBER):
        completion_check(member=place)  # Jordan completes; Luis missed too many meetings
    cohort.status = Cohort.Status.FINISHED
    cohort.save(update_fields=["status"])
    return cohort


@transaction.atomic
def seed(report) -> None:
    district = District.objects.filter(slug="riverside").first()
    book = BookPage.objects.live().filter(slug=DEMO_BOOK_SLUG).first()
    if district is None or book is None or not schedule.book_units(book.sections.raw_data):
        return
    facilitator, maya = demo_user("facilitator"), demo_user("learner")
    people = [_colleague(district, email, name) for email, name in COLLEAGUES]
    _running_ensure(district, book, facilitator, maya, people)
    _finished_ensure(district, book, facilitator, people)
    running = Cohort.objects.get(district=district, title=RUNNING_TITLE)
    report.add_line(
        f"demo book club: “{running.title}” at /book-clubs/{running.pk}/ (facilitator: "
        f"{facilitator.email}; the demo learner is a member; Jordan Ellis completed "
        f"“{FINISHED_TITLE}”)"
    )
