"""A cohort's final report (page and CSV): right numbers per member, the members' synthesis
posts only (not hidden ones, not the facilitator's), safe cells, 404 for anyone but the
cohort's facilitators and its district's admins, and a fixed number of queries."""

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
    day = (timezone.now().astimezone(CHICAGO) - dt.timedelta(days=days)).date()
    return dt.datetime.combine(day, dt.time(19, 0))


@pytest.fixture
def cohort(home, district):
    # Three 90-minute meetings, all held: people can complete.
    return cohort_make(
        home,
        district=district,
        sessions=[(local_days_ago(d), 90) for d in (21, 14, 7)],
        min_attendance_percent=50,
        requires_synthesis=True,
    )


def report_url(cohort, csv_=False):
    name = "report_csv" if csv_ else "report"
    return reverse(f"cohort_facilitating:{name}", args=[cohort.pk])


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def signed_in(client, user):
    client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def test_the_report_shows_each_member_and_what_the_group_will_change(client, admin, cohort):
    lead = facilitator_make(cohort, UserFactory(display_name="Grace Liu"))
    ana = member_make(cohort, UserFactory(display_name="Ana Ruiz"))
    ben = member_make(cohort, UserFactory(display_name="Ben Okafor"))
    member_make(cohort, UserFactory(display_name="Wendy Waiting"), state="waiting")
    one, two, three = cohort.sessions.order_by("number")
    for session in (one, two, three):
        attend(session, ana.user)
    attend(one, ben.user, Attendance.Status.LATE)
    attend(two, ben.user, Attendance.Status.ABSENT)
    attend(three, ben.user, Attendance.Status.EXCUSED)
    post(one, ana.user, body="Chapter one notes")
    post(three, ana.user, body="I will start **exit tickets** on Mondays.", is_synthesis=True)
    post(three, ben.user, body="Hidden thought", is_synthesis=True, hidden_at=timezone.now())
    post(three, lead.user, body="Facilitator's own synthesis", is_synthesis=True)
    assert completion_check(member=ana) is True

    response = signed_in(client, admin).get(report_url(cohort))
    assert response.status_code == 200
    report = response.context["report"]
    rows = {row.place.user.display_name: row for row in report.rows}
    assert list(rows) == ["Ana Ruiz", "Ben Okafor"]  # members only, by name
    ana_row, ben_row = rows["Ana Ruiz"], rows["Ben Okafor"]
    assert (ana_row.attended, ana_row.meeting_hours, ana_row.posts, ana_row.completed) == (
        3,
        Decimal("4.5"),
        2,
        True,
    )
    assert ana_row.hours_credited == Decimal("6.5")  # 4.5 meeting hours + 2 reading
    assert (ben_row.attended, ben_row.late, ben_row.absent, ben_row.excused) == (1, 1, 1, 1)
    assert (ben_row.posts, ben_row.completed, ben_row.hours_credited) == (0, False, None)
    assert (report.members, report.completed, report.meetings_held) == (2, 1, 3)
    assert report.attendance_percent == 67  # 4 of 6 places
    assert [p.body for p in report.syntheses] == ["I will start **exit tickets** on Mondays."]
    html = response.content.decode()
    assert "What the group said it will change" in html
    assert "<strong>exit tickets</strong>" in html
    assert "Hidden thought" not in html and "Facilitator's own synthesis" not in html
    assert "Wendy Waiting" not in html
    assert "Grace Liu" in html  # led by


def test_the_csv_has_one_row_per_member_with_safe_cells(client, admin, cohort):
    ana = member_make(cohort, UserFactory(display_name='=HYPERLINK("http://evil.example")'))
    ben = member_make(cohort, UserFactory(display_name="Ben Okafor"))
    one, two, three = cohort.sessions.order_by("number")
    for session in (one, two, three):
        attend(session, ana.user)
    post(three, ana.user, body="-Try peer review", is_synthesis=True)
    assert completion_check(member=ana) is True
    response = signed_in(client, admin).get(report_url(cohort, csv_=True))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="empowered-educators-final-report.csv"' in response["Content-Disposition"]
    rows = {row["E-mail"]: row for row in csv_rows(response)}
    assert set(rows) == {ana.user.email, ben.user.email}
    first = rows[ana.user.email]
    assert first["Name"].startswith("'=")
    assert first["Attended (present or late)"] == "3" and first["Meeting hours attended"] == "4.5"
    assert first["PD hours credited"] == "6.5" and first["Completed on"]
    assert first["What they will change"] == "'-Try peer review"
    second = rows[ben.user.email]
    assert (second["No record"], second["Completed on"], second["PD hours credited"]) == (
        "3",
        "",
        "",
    )


def test_only_facilitators_and_the_districts_admins_may_see_it(client, cohort, admin):
    lead = facilitator_make(cohort)
    member = member_make(cohort)
    other_admin = MembershipFactory(district=DistrictFactory(), role="district_admin").user
    for user in (member.user, UserFactory(), other_admin):
        signed_in(client, user)
        assert client.get(report_url(cohort)).status_code == 404
        assert client.get(report_url(cohort, csv_=True)).status_code == 404
    for user in (lead.user, admin):
        signed_in(client, user)
        assert client.get(report_url(cohort)).status_code == 200
        assert client.get(report_url(cohort, csv_=True)).status_code == 200


def fill(cohort, size: int) -> None:
    """`size` members, each present at every meeting, with a post and a synthesis."""
    users = User.objects.bulk_create(
        [
            User(email=f"f{cohort.pk}-{n}@school.example", display_name=f"Member {n}")
            for n in range(size)
        ]
    )
    CohortMember.objects.bulk_create([CohortMember(cohort=cohort, user=u) for u in users])
    sessions = list(cohort.sessions.all())
    Attendance.objects.bulk_create(
        [
            Attendance(session=s, user=u, status="present", via="facilitator")
            for s in sessions
            for u in users
        ]
    )
    Post.objects.bulk_create(
        [Post(session=sessions[-1], author=u, body="I will…", is_synthesis=True) for u in users]
    )


def queries(client, address: str) -> int:
    client.get(address)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_members(client, admin, cohort, home, district):
    signed_in(client, admin)
    fill(cohort, 10)
    big = cohort_make(
        home, district=district, title="Big group", sessions=[(local_days_ago(3), 60)]
    )
    fill(big, 200)
    small = (queries(client, report_url(cohort)), queries(client, report_url(cohort, csv_=True)))
    large = (queries(client, report_url(big)), queries(client, report_url(big, csv_=True)))
    assert small == large
    assert len(csv_rows(client.get(report_url(big, csv_=True)))) == 200
