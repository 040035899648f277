"""Demo book clubs in the demo district, for the demo book ("The Quiet Rollout"):

- a running club led by the facilitator account (Grace Liu), with the demo learner (Maya)
  and four colleagues: six weekly meetings (one per chapter, then a closing one), four
  held and two ahead; RSVPs, attendance, posts and replies, the facilitator's summaries
  and a message to the group. Its rule asks for four of the six meetings, a post and a
  synthesis: Jordan Ellis has met it and completed with meetings still ahead (decided by
  `completion_check`, so the credit on his transcript is the rule's own); Maya has come
  to enough meetings and posted, and has her synthesis still to write;
- an earlier club, finished, with two other colleagues (Priya Nair completed, Tom Becker
  did not): what a club and its final report look like when every meeting is over.

Demo-only path: the schedule service refuses meetings in the past (rightly, for people),
so the meetings already held, and what happened at them (attendance, posts, RSVPs), are
written straight to the tables here, then backdated. Each club is made once, found again
by its title: editors' and facilitators' changes to it are kept.

The running club stays running: when seed_demo runs again after its next meeting has
started (the first meeting with no attendance taken), every time in it (meetings,
attendance, posts, RSVPs, messages, places, and the demo ledger lines of the club) moves
forward by the fewest whole weeks that put that meeting ahead again, at the same local
clock time. Nothing else changes, so what people did in the demo stays as they left it.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import User
from cms.models import BookPage
from learning.cohorts import schedule
from learning.cohorts.calendar import cohort_zone
from learning.cohorts.completion import completion_check
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortMessage,
    CohortSession,
    CreditEntry,
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
EARLIER_READERS = [
    ("priya.nair@riverside.example", "Priya Nair"),
    ("tom.becker@riverside.example", "Tom Becker"),
]
CLOSING = schedule.Unit(
    title="Bringing it home: what we will change",
    reading="",
    prompts=[
        "What is the one change you will make first, and who will notice it?",
        "What would you need from the district to keep it going next year?",
    ],
)
CHAPTERS, HELD = 5, 4  # the running club: five chapters and a closing meeting; four held
MEETING_TIME = dt.time(16, 0)  # after school, in the district's time zone
MEETING_DAYS = (1, 2, 3)  # Tuesday to Thursday
WEEK = dt.timedelta(weeks=1)
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


def _next_meeting_day(today: dt.date) -> dt.date:
    """A Tuesday, Wednesday or Thursday two to six days ahead (five days in a row always
    hold one), so the meeting a week before it is over and the next is still to come."""
    return next(
        day
        for day in (today + dt.timedelta(days=n) for n in range(2, 7))
        if day.weekday() in MEETING_DAYS
    )


def _sessions(cohort: Cohort, units: list, days: list[dt.date], zone: ZoneInfo) -> list:
    """One meeting per unit, on the given local dates at MEETING_TIME."""
    return [
        CohortSession.objects.create(
            cohort=cohort,
            number=number,
            title=unit.title,
            reading=unit.reading,
            covers=unit.covers,
            prompts=unit.prompts,
            starts_at=schedule.local_instant(day, MEETING_TIME, zone),
            duration_minutes=60,
            place="Riverside High School, library",
            video_url="https://meet.example/riverside-book-club",
        )
        for number, (unit, day) in enumerate(zip(units, days, strict=True), start=1)
    ]


def _cohort(district, book, title, facilitator, first_day: dt.date, **rule) -> Cohort:
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
        status=Cohort.Status.OPEN,
        min_sessions_posted=1,
        requires_synthesis=True,
        reading_hours=Decimal("2.0"),
        created_by=facilitator,
        **rule,
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


def _completion_checks(cohort: Cohort, when: dt.datetime) -> None:
    """The rule decides who completed, as if checked when the attendance was taken."""
    for place in CohortMember.objects.filter(cohort=cohort, role=CohortMember.Role.MEMBER):
        completion_check(member=place, now=when)


def _running_ensure(district, book, facilitator, maya, people) -> None:
    if Cohort.objects.filter(district=district, title=RUNNING_TITLE).exists():
        return
    zone = ZoneInfo(district.time_zone)
    units = [*schedule.book_units(book.sections.raw_data)[:CHAPTERS], CLOSING]
    next_day = _next_meeting_day(timezone.now().astimezone(zone).date())
    days = [next_day + (number - HELD) * WEEK for number in range(len(units))]
    # 60% of six meetings is four.
    cohort = _cohort(district, book, RUNNING_TITLE, facilitator, days[0], min_attendance_percent=60)
    sessions = _sessions(cohort, units, days, zone)
    _place(cohort, facilitator, CohortMember.Role.FACILITATOR)
    jordan, amira, luis, hannah = people
    for user in (maya, *people):
        _place(cohort, user)
    held, ahead = sessions[:HELD], sessions[HELD:]
    marks = [
        {maya: P, jordan: P, amira: P, luis: L, hannah: P},
        {maya: P, jordan: P, amira: E, luis: P, hannah: A},
        {maya: L, jordan: P, amira: P, luis: P, hannah: A},
        {maya: P, jordan: P, amira: P, luis: A, hannah: P},
    ]
    for session, mark in zip(held, marks, strict=True):
        for user in mark:
            answer = Rsvp.Answer.NOT_GOING if mark[user] in (A, E) else Rsvp.Answer.GOING
            Rsvp.objects.create(session=session, user=user, answer=answer)
        _attend(session, mark, facilitator)
    for user in (jordan, amira):  # Maya's answer for the next meeting is hers to give
        Rsvp.objects.create(session=ahead[0], user=user, answer=Rsvp.Answer.GOING)
    Rsvp.objects.create(session=ahead[0], user=luis, answer=Rsvp.Answer.NOT_GOING)

    one, two, three, four = held
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
    _post(
        four,
        amira,
        "We translated our device agreement last year, but nobody checked how hard it was "
        "to read. The chapter's one-page version for families is the fix.",
    )
    _post(
        four,
        jordan,
        "What I will change: every rollout at my school starts with a two-week listening "
        "tour, and the pilot teachers share what failed at a staff meeting before anyone "
        "orders devices.",
        synthesis=True,
        after_minutes=120,
    )
    one.summary = (
        "Five of us met. We agreed that our own rollout skipped asking teachers what they "
        "needed. Before next week, each of us will ask two colleagues one question: "
        "*what would make the laptops worth the trouble?*"
    )
    two.summary = (
        "We shared what we heard from colleagues: time to practise came up most. Luis "
        "showed his charging-cart checklist; Amira will share the listening-tour notes."
    )
    three.summary = (
        "Year four came as a shock to most of us: nobody had counted repairs and licences. "
        "Jordan will bring last year's repair figures next time."
    )
    for session in (one, two, three):
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
        created_at=four.starts_at + dt.timedelta(days=1)
    )
    _completion_checks(cohort, four.starts_at + dt.timedelta(hours=3))  # Jordan completes


def _finished_ensure(district, book, facilitator, readers) -> None:
    """An earlier club, all of whose meetings are over: Priya met the rule, Tom did not."""
    if Cohort.objects.filter(district=district, title=FINISHED_TITLE).exists():
        return
    zone = ZoneInfo(district.time_zone)
    units = schedule.book_units(book.sections.raw_data)[:3]
    today = timezone.now().astimezone(zone).date()
    days = [today + dt.timedelta(days=offset) for offset in (-119, -112, -105)]
    cohort = _cohort(
        district, book, FINISHED_TITLE, facilitator, days[0], min_attendance_percent=75
    )
    sessions = _sessions(cohort, units, days, zone)
    _place(cohort, facilitator, CohortMember.Role.FACILITATOR)
    priya, tom = readers
    for user in readers:
        _place(cohort, user)
    for session in sessions:
        _attend(session, {priya: P, tom: A if session.number > 1 else P}, facilitator)
    _post(sessions[0], priya, "I want our coaches in the pilot rooms in week one.")
    _post(sessions[0], tom, "Week one is always the hardest. Agreed.")
    _post(
        sessions[-1],
        priya,
        "What I will change: our next rollout starts with the families' evening, not the "
        "delivery van, and every class has a spare-device shelf from day one.",
        synthesis=True,
    )
    _completion_checks(cohort, sessions[-1].starts_at + dt.timedelta(hours=3))
    cohort.status = Cohort.Status.FINISHED
    cohort.save(update_fields=["status"])


# Keeping the running club current.

# Every time a club holds, by model: (rows of the club, their time fields).
CLUB_TIMES = [
    (CohortSession, "cohort", ["starts_at"]),
    (Attendance, "session__cohort", ["recorded_at", "credited_at"]),
    (Post, "session__cohort", ["created_at", "edited_at", "hidden_at"]),
    (Rsvp, "session__cohort", ["updated_at"]),
    (CohortMessage, "cohort", ["created_at"]),
    (CohortMember, "cohort", ["state_changed_at", "joined_at", "completed_at"]),
]


def weeks_behind(cohort: Cohort, now: dt.datetime) -> int:
    """How many whole weeks the club must move for its next meeting (the first with no
    attendance taken; "excused" can be given ahead) to be ahead of `now`; 0 when it is."""
    taken = Attendance.objects.filter(session=OuterRef("pk"), status__in=[P, L, A])
    upcoming = cohort.sessions.exclude(Exists(taken)).order_by("starts_at", "number").first()
    if upcoming is None or upcoming.starts_at > now:
        return 0
    zone = cohort_zone(cohort)
    weeks = (now - upcoming.starts_at) // WEEK + 1
    # A week across a daylight-saving change is an hour longer or shorter.
    while schedule.same_local_time_weeks_later(upcoming.starts_at, weeks, zone) <= now:
        weeks += 1
    return weeks


def club_move(cohort: Cohort, weeks: int) -> None:
    """Move every time of the club `weeks` forward, at the same local clock time. Written
    with `update`, so fields that stamp themselves (auto_now) take the moved value."""
    zone = cohort_zone(cohort)

    def moved(value):
        return value and schedule.same_local_time_weeks_later(value, weeks, zone)

    for model, cohort_field, fields in CLUB_TIMES:
        for row in model.objects.filter(**{cohort_field: cohort}).values("pk", *fields):
            model.objects.filter(pk=row["pk"]).update(**{f: moved(row[f]) for f in fields})
    Cohort.objects.filter(pk=cohort.pk).update(start_date=cohort.start_date + weeks * WEEK)
    key = f"cohort:{cohort.pk}"
    for entry in CreditEntry.objects.filter(
        Q(source_key=key) | Q(source_key__startswith=f"{key}:meeting:"),
        source=CreditEntry.Source.COHORT,
    ):
        CreditEntry.objects.filter(pk=entry.pk).update(earned_on=entry.earned_on + weeks * WEEK)


def _running_keep_current(cohort: Cohort) -> None:
    if cohort.status != Cohort.Status.OPEN:
        return  # finished or cancelled in the demo: left as people left it
    weeks = weeks_behind(cohort, timezone.now())
    if weeks:
        club_move(cohort, weeks)


@transaction.atomic
def seed(report) -> None:
    district = District.objects.filter(slug="riverside").first()
    book = BookPage.objects.live().filter(slug=DEMO_BOOK_SLUG).first()
    # An editor may have cut the demo book short: no club is built on fewer chapters.
    if (
        district is None
        or book is None
        or len(schedule.book_units(book.sections.raw_data)) < CHAPTERS
    ):
        return
    facilitator, maya = demo_user("facilitator"), demo_user("learner")
    people = [_colleague(district, email, name) for email, name in COLLEAGUES]
    _running_ensure(district, book, facilitator, maya, people)
    readers = [_colleague(district, email, name) for email, name in EARLIER_READERS]
    _finished_ensure(district, book, facilitator, readers)
    running = Cohort.objects.get(district=district, title=RUNNING_TITLE)
    _running_keep_current(running)
    report.add_line(
        f"demo book club: “{running.title}” at /book-clubs/{running.pk}/ (facilitator: "
        f"{facilitator.email}; the demo learner is a member; Jordan Ellis has completed it "
        f"with meetings still ahead; “{FINISHED_TITLE}” is over, with its final report)"
    )
