"""A cohort's final report (page and CSV): right numbers per member, the members' synthesis
posts only (not hidden ones, not the facilitator's), safe cells, 404 for anyone but the
cohort's facilitators and its district's admins, and a fixed number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.cohorts.completion import completion_check
from learning.models import Attendance
from tests.factories import UserFactory
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
    # Three 90-minute meetings, all held: people can complete.
    return cohort_make(
        district=district,
        sessions=evenings_ago(21, 14, 7, minutes=90),
        min_attendance_percent=50,
        requires_synthesis=True,
    )


def report_url(cohort, csv_=False):
    name = "report_csv" if csv_ else "report"
    return reverse(f"cohort_facilitating:{name}", args=[cohort.pk])


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
    other_admin = other_district_admin()
    for user in (member.user, UserFactory(), other_admin):
        signed_in(client, user)
        assert client.get(report_url(cohort)).status_code == 404
        assert client.get(report_url(cohort, csv_=True)).status_code == 404
    for user in (lead.user, admin):
        signed_in(client, user)
        assert client.get(report_url(cohort)).status_code == 200
        assert client.get(report_url(cohort, csv_=True)).status_code == 200


def test_query_counts_do_not_grow_with_members(client, admin, cohort, district):
    signed_in(client, admin)
    members_bulk_make(cohort, 10, synthesis=True)
    big = cohort_make(district=district, title="Big group", sessions=evenings_ago(3))
    members_bulk_make(big, 200, synthesis=True)
    small = tuple(query_count(client, report_url(cohort, csv_)) for csv_ in (False, True))
    large = tuple(query_count(client, report_url(big, csv_)) for csv_ in (False, True))
    assert small == large
    assert len(csv_rows(client.get(report_url(big, csv_=True)))) == 200
