"""The district's cohort participation page and its CSV: right numbers, safe cells, a fixed
number of queries for 10 and 200 members, and 404 for anyone but the district's admins."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from learning.cohorts.completion import completion_check
from learning.models import Attendance, CohortMember, Post
from tests.factories import DEFAULT_PASSWORD, DistrictFactory, MembershipFactory, UserFactory
from tests.learning.cohorts.fixtures_feeds import (
    CHICAGO,
    attend,
    cohort_make,
    facilitator_make,
    member_make,
    post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db):
    from cms.demo import site_tree_ensure

    return site_tree_ensure()


@pytest.fixture
def district(db):
    return DistrictFactory(name="Riverside Unified", slug="riverside", time_zone="America/Chicago")


@pytest.fixture
def admin(district):
    return MembershipFactory(district=district, role="district_admin").user


def local_days_ago(days: int) -> dt.datetime:
    """7 pm Chicago time, `days` days ago (negative: ahead), as a naive local time."""
    day = (timezone.now().astimezone(CHICAGO) - dt.timedelta(days=days)).date()
    return dt.datetime.combine(day, dt.time(19, 0))


@pytest.fixture
def cohort(home, district):
    # Three meetings held, one ahead.
    return cohort_make(
        home,
        district=district,
        sessions=[(local_days_ago(d), 90) for d in (21, 14, 7, -7)],
        min_attendance_percent=50,
    )


def url(name, district):
    return reverse(f"cohort_feeds:{name}", args=[district.slug])


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_page_shows_each_cohorts_participation(client, admin, cohort, district, home):
    facilitator_make(cohort)
    ana, ben = member_make(cohort), member_make(cohort)
    member_make(cohort, state=CohortMember.State.WAITING)  # not taking part: not counted
    one, two, three, _next = cohort.sessions.order_by("number")
    for session in (one, two, three):
        attend(session, ana.user)
    attend(one, ben.user, Attendance.Status.LATE)
    attend(two, ben.user, Attendance.Status.ABSENT)
    post(one, ana.user)
    post(two, ben.user)
    post(two, ben.user, hidden_at=timezone.now())  # hidden: not counted
    cohort_make(home, district=DistrictFactory(), title="Another district's club")

    client.login(email=admin.email, password=DEFAULT_PASSWORD)
    response = client.get(url("district_report", district))
    assert response.status_code == 200
    rows = response.context["cohorts"]
    assert [r.cohort.title for r in rows] == ["Empowered Educators"]
    row = rows[0]
    # 4 of 6 possible places (2 members × 3 meetings held) were attended.
    assert (row.members, row.meetings_held, row.meetings, row.posts, row.completed) == (
        2,
        3,
        4,
        2,
        0,
    )
    assert row.attendance_percent == 67
    page = response.content.decode()
    assert "Empowered Educators" in page and "67%" in page and "3 of 4" in page
    assert "Another district" not in page


def test_the_csv_has_attendance_and_hours_per_member_and_safe_cells(
    client, admin, cohort, district
):
    cohort.sessions.filter(number=4).delete()  # the series is over: people can complete
    ana = member_make(cohort, UserFactory(display_name='=HYPERLINK("http://evil.example")'))
    ben = member_make(cohort, UserFactory(display_name="Ben Okafor"))
    one, two, three = cohort.sessions.order_by("number")
    for session in (one, two, three):
        attend(session, ana.user)
    attend(one, ben.user, Attendance.Status.EXCUSED)
    post(one, ana.user)
    post(two, ana.user)
    assert completion_check(member=ana) is True

    client.login(email=admin.email, password=DEFAULT_PASSWORD)
    response = client.get(url("district_report_csv", district))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = {row["E-mail"]: row for row in csv_rows(response)}
    first = rows[ana.user.email]
    assert first["Name"] == '\'=HYPERLINK("http://evil.example")'  # not a formula
    assert first["State"] == "Completed"
    assert (first["Meetings held"], first["Present"], first["No record"]) == ("3", "3", "0")
    assert first["Meeting hours attended"] == "4.5"
    assert first["Sessions posted in"] == "2" and first["Posts"] == "2"
    assert first["PD hours credited"] == "6.5"  # 4.5 h of meetings + 2 h reading
    assert first["Completed on"] == timezone.localdate().isoformat()
    second = rows[ben.user.email]
    assert (second["Excused"], second["No record"], second["PD hours credited"]) == ("1", "2", "")
    assert Decimal(second["Meeting hours attended"]) == 0


def fill(cohort, size: int) -> None:
    """`size` members, each present at every held meeting with a post in each."""
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
    Post.objects.bulk_create([Post(session=s, author=u, body="Notes") for s in held for u in users])


def queries(client, address: str) -> int:
    client.get(address)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_members(client, admin, cohort, district, home):
    client.login(email=admin.email, password=DEFAULT_PASSWORD)
    fill(cohort, 10)
    small = (
        queries(client, url("district_report", district)),
        queries(client, url("district_report_csv", district)),
    )
    big_cohort = cohort_make(
        home, district=district, title="Second group", sessions=[(local_days_ago(3), 60)]
    )
    fill(big_cohort, 200)
    large = (
        queries(client, url("district_report", district)),
        queries(client, url("district_report_csv", district)),
    )
    assert small == large
    assert len(csv_rows(client.get(url("district_report_csv", district)))) == 210


def test_only_the_districts_admins_see_it(client, cohort, district):
    facilitator = facilitator_make(cohort).user
    MembershipFactory(district=district, user=facilitator, role="facilitator")
    member = member_make(cohort).user
    other_admin = MembershipFactory(role="district_admin").user
    for person in (facilitator, member, other_admin):
        client.login(email=person.email, password=DEFAULT_PASSWORD)
        assert client.get(url("district_report", district)).status_code == 404
        assert client.get(url("district_report_csv", district)).status_code == 404
    client.logout()
    assert client.get(url("district_report_csv", district)).status_code == 302
