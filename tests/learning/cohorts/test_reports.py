"""The district's cohort participation page and its CSV: right numbers, safe cells, a fixed
number of queries for 10 and 200 members, and 404 for anyone but the district's admins."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.cohorts.completion import completion_check
from learning.models import Attendance, CohortMember
from tests.factories import DistrictFactory, MembershipFactory, UserFactory
from tests.learning.cohorts.factories import (
    attend,
    cohort_make,
    csv_rows,
    evenings_ago,
    facilitator_make,
    member_make,
    members_bulk_make,
    other_district_admin,
    post,
    query_count,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(district):
    # Three meetings held, one ahead.
    return cohort_make(
        district=district,
        sessions=evenings_ago(21, 14, 7, -7, minutes=90),
        min_attendance_percent=50,
    )


def url(name, district):
    return reverse(f"cohort_feeds:{name}", args=[district.slug])


def test_the_page_shows_each_cohorts_participation(client, admin, cohort, district):
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
    cohort_make(district=DistrictFactory(), title="Another district's club")

    signed_in(client, admin)
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

    signed_in(client, admin)
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


def test_query_counts_do_not_grow_with_members(client, admin, cohort, district):
    signed_in(client, admin)
    members_bulk_make(cohort, 10)
    pages = ("district_report", "district_report_csv")
    small = tuple(query_count(client, url(name, district)) for name in pages)
    big_cohort = cohort_make(district=district, title="Second group", sessions=evenings_ago(3))
    members_bulk_make(big_cohort, 200)
    large = tuple(query_count(client, url(name, district)) for name in pages)
    assert small == large
    assert len(csv_rows(client.get(url("district_report_csv", district)))) == 210


def test_only_the_districts_admins_see_it(client, cohort, district):
    facilitator = facilitator_make(cohort).user
    MembershipFactory(district=district, user=facilitator, role="facilitator")
    member = member_make(cohort).user
    other_admin = other_district_admin()
    for person in (facilitator, member, other_admin):
        signed_in(client, person)
        assert client.get(url("district_report", district)).status_code == 404
        assert client.get(url("district_report_csv", district)).status_code == 404
    client.logout()
    assert client.get(url("district_report_csv", district)).status_code == 302
