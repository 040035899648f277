"""Book clubs for the tests: one way to make each thing, shared by every cohort test module
and the browser journeys.

`cohort_start` goes through the services, as a district admin does; the other makers write
straight to the database, for tests of what happens once a club runs (discussion,
attendance, reminders, completion, reports). Times are written on the cohort's wall clock
(America/Chicago unless said otherwise)."""

import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from learning.cohorts import services
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortSession,
    Membership,
    Post,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    BookPageFactory,
    DistrictFactory,
    MembershipFactory,
    UserFactory,
)

CHICAGO = ZoneInfo("America/Chicago")


def site_home():
    from cms.demo import site_tree_ensure

    return site_tree_ensure()


def book_sections(count: int) -> list[dict]:
    """A book's sections, numbered from 1, each with its pages and two prompts."""
    return [
        {
            "type": "section",
            "value": {
                "number": n,
                "title": f"Part {n}",
                "pages": f"{n * 10 - 9}–{n * 10}",
                "discussion_prompts": [f"Prompt {n}a?", f"Prompt {n}b?"],
            },
        }
        for n in range(1, count + 1)
    ]


def next_week() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


def evenings_ago(*days: int, minutes: int = 60) -> list[tuple[dt.datetime, int]]:
    """Meetings for `cohort_make`: at 7 pm Chicago time so many days ago (negative: ahead),
    each `minutes` long."""
    today = timezone.now().astimezone(CHICAGO).date()
    return [
        (dt.datetime.combine(today - dt.timedelta(days=n), dt.time(19, 0)), minutes) for n in days
    ]


# People of the district.


def district_member(district, **fields) -> User:
    return MembershipFactory(district=district, **fields).user


def district_admin_of(cohort: Cohort) -> User:
    return district_member(cohort.district, role=Membership.Role.DISTRICT_ADMIN)


def other_district_admin() -> User:
    """The admin of a district of their own, who must not see Riverside's clubs."""
    return MembershipFactory(role=Membership.Role.DISTRICT_ADMIN).user


# Cohorts.


def cohort_start(district, book, by, *, open_=True, **choices) -> Cohort:
    """A book club planned through the services, as `by` would: weekly from next week,
    Tuesdays at 4 pm, led by `by`; then opened unless `open_` is False. Other keywords
    change its plan (`services.CohortPlan`) or its details (`services.CohortDetails`)."""
    plan_fields = {field.name for field in dataclasses.fields(services.CohortPlan)}
    plan = {"book": book, "start_date": next_week(), "weekday": 1, "time_of_day": dt.time(16, 0)}
    plan.update({name: value for name, value in choices.items() if name in plan_fields})
    details = {"title": "Reading together", "facilitators": [by]}
    details.update({name: value for name, value in choices.items() if name not in plan_fields})
    cohort = services.cohort_create(
        district=district,
        created_by=by,
        details=services.CohortDetails(
            **{**details, "facilitators": tuple(details["facilitators"])}
        ),
        plan=services.CohortPlan(**plan),
    )
    if open_:
        cohort = services.cohort_open(cohort=cohort)
    return cohort


def cohort_make(*, district=None, sessions=(), **fields) -> Cohort:
    """An open book club written straight to the database, reading a new book, with a rule
    members can meet by attending (75% of meetings, no posts or synthesis needed, 2 reading
    hours). `sessions` are (local start, minutes) on the cohort's clock."""
    if "book" not in fields and "pathway" not in fields:
        fields["book"] = BookPageFactory(parent=site_home())
    defaults = {
        "title": "Empowered Educators",
        "time_zone": "America/Chicago",
        "start_date": dt.date(2027, 3, 1),
        "status": Cohort.Status.OPEN,
        "min_attendance_percent": 75,
        "min_sessions_posted": 0,
        "requires_synthesis": False,
        "reading_hours": Decimal("2"),
    }
    cohort = Cohort.objects.create(
        district=district or DistrictFactory(time_zone="America/Chicago"),
        **{**defaults, **fields},
    )
    for number, (local_start, minutes) in enumerate(sessions, start=1):
        session_make(cohort, number=number, local_start=local_start, duration_minutes=minutes)
    return cohort


def session_make(
    cohort: Cohort,
    *,
    number: int = 1,
    local_start: dt.datetime | None = None,
    starts_in: dt.timedelta = dt.timedelta(days=2),
    **fields,
) -> CohortSession:
    """Meeting `number`: at `local_start` (naive, on the cohort's clock) if given, else
    `starts_in` from now. An hour long, in the library and online, with two prompts."""
    if local_start is not None:
        starts_at = local_start.replace(tzinfo=ZoneInfo(cohort.time_zone)).astimezone(dt.UTC)
    else:
        starts_at = timezone.now() + starts_in
    defaults = {
        "title": f"Chapter {number}",
        "reading": f"Chapter {number}, pages {number * 20 - 19}–{number * 20}",
        "prompts": [f"What stood out in chapter {number}?", "What will you try?"],
        "duration_minutes": 60,
        "place": "Library, room 2",
        "video_url": "https://meet.example/riverside-book-club",
    }
    return CohortSession.objects.create(
        cohort=cohort, number=number, starts_at=starts_at, **{**defaults, **fields}
    )


# Places in a cohort: `member_make` gives the place, `person_in` the person who holds it.


def member_make(cohort: Cohort, user=None, *, name: str = "", **fields) -> CohortMember:
    if user is None:
        user = UserFactory(**({"display_name": name} if name else {}))
    return CohortMember.objects.create(cohort=cohort, user=user, **fields)


def facilitator_make(cohort: Cohort, user=None, *, name: str = "") -> CohortMember:
    return member_make(cohort, user, name=name, role=CohortMember.Role.FACILITATOR)


def person_in(cohort: Cohort, *, name: str = "", **fields) -> User:
    return member_make(cohort, name=name, **fields).user


def facilitator_of(cohort: Cohort, *, name: str = "Fran Facilitator") -> User:
    return facilitator_make(cohort, name=name).user


def outsiders(cohort: Cohort) -> list[User]:
    """People who must get a 404: someone waiting, someone who left, a colleague in the
    district, another district's admin and a facilitator of another cohort."""
    colleague = district_member(cohort.district)
    other_admin = other_district_admin()
    other_cohort = cohort_make(title="Another club")
    return [
        person_in(cohort, state=CohortMember.State.WAITING),
        person_in(cohort, state=CohortMember.State.LEFT),
        colleague,
        other_admin,
        facilitator_of(other_cohort, name="Other facilitator"),
    ]


def members_bulk_make(cohort: Cohort, size: int, *, synthesis: bool = False) -> None:
    """`size` members, each present at every meeting held so far and, with `synthesis`, with
    a synthesis post after the last of them, else with a post in each. Bulk inserts, for
    query counts at scale."""
    users = User.objects.bulk_create(
        [
            User(email=f"m{cohort.pk}-{n}@school.example", display_name=f"Member {n}")
            for n in range(size)
        ]
    )
    CohortMember.objects.bulk_create([CohortMember(cohort=cohort, user=u) for u in users])
    held = [s for s in cohort.sessions.all() if s.starts_at <= timezone.now()]
    Attendance.objects.bulk_create(
        [
            Attendance(session=s, user=u, status="present", via="facilitator")
            for s in held
            for u in users
        ]
    )
    if synthesis:
        posts = [Post(session=held[-1], author=u, body="I will…", is_synthesis=True) for u in users]
    else:
        posts = [Post(session=s, author=u, body="Notes") for s in held for u in users]
    Post.objects.bulk_create(posts)


# What happens at meetings.


def attend(session, user, status=Attendance.Status.PRESENT) -> Attendance:
    return Attendance.objects.create(
        session=session, user=user, status=status, via=Attendance.Via.FACILITATOR
    )


def post(session, user, body="I will try exit tickets.", **fields) -> Post:
    return Post.objects.create(session=session, author=user, body=body, **fields)


# Reading the screens.


def signed_in(client, user):
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def query_count(client, url: str) -> int:
    """The queries of a second visit to `url` (the first warms caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def said(response) -> list[tuple[str, str]]:
    """The messages a page showed, as (kind, text): follow the redirect to see them."""
    return [(message.tags, str(message)) for message in response.context["messages"]]
