"""The district dashboard: this school year's figures beside the year before, counted in
the database (the same number of queries for a larger district), the CSV with the screen's
numbers, clear refusals of wrong filters, and nobody but the district's admins."""

import csv
import io
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from learning import services
from learning.activity_years import ASSESSMENT_YEARS
from learning.insights import dashboard_get
from learning.models import SelfAssessment
from learning.selectors import school_year_start
from tests.factories import MembershipFactory, UserFactory, self_assessment_finished

pytestmark = pytest.mark.django_db

THIS_YEAR = school_year_start(timezone.localdate())
THIS_YEAR_DAY = THIS_YEAR.replace(day=15)
LAST_YEAR_DAY = THIS_YEAR.replace(year=THIS_YEAR.year - 1, day=20)


def active_member(district, *, badges: dict[date, str] = (), assessed_on: date | None = None):
    user = UserFactory()
    MembershipFactory(user=user, district=district)
    for earned_on, hours in dict(badges).items():
        services.badge_earned(
            user=user,
            micro_credential_id=None,
            title="A badge",
            hours=Decimal(hours),
            earned_on=earned_on,
            key=f"{user.pk}-{earned_on}",
        )
    if assessed_on:
        take = self_assessment_finished(user)
        moment = timezone.make_aware(datetime.combine(assessed_on, datetime.min.time()))
        SelfAssessment.objects.filter(pk=take.pk).update(completed_at=moment)
    return user


def figures(dashboard) -> dict:
    return {f.label: (f.now, f.before) for f in dashboard.figures}


def test_the_dashboard_sets_this_year_beside_the_last(client, district, district_admin):
    active_member(
        district, badges={THIS_YEAR_DAY: "3", LAST_YEAR_DAY: "2"}, assessed_on=THIS_YEAR_DAY
    )
    active_member(district, badges={THIS_YEAR_DAY: "1.5"}, assessed_on=LAST_YEAR_DAY)
    outsider = UserFactory()  # not a member: never counted
    services.badge_earned(
        user=outsider,
        micro_credential_id=None,
        title="x",
        hours=Decimal("9"),
        earned_on=THIS_YEAR_DAY,
        key="outsider",
    )
    numbers = figures(dashboard_get(district=district, year_start=THIS_YEAR))
    assert numbers["Active members"] == (3, None)  # two learners and the admin
    assert numbers["Badges earned"] == (2, 1)
    assert numbers["PD hours credited"] == (4.5, 2.0)
    assert numbers["Self-assessments finished"] == (1, 1)

    client.force_login(district_admin)
    page = client.get(reverse("learning:district_dashboard", args=[district.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<span class="stat__number">4.5</span>' in html
    assert "2.5 more than the year before (2)" in html
    exported = client.get(reverse("learning:district_dashboard_csv", args=[district.slug]))
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(exported.content.decode()))}
    assert rows["PD hours credited"] == ["4.5", "2"]
    assert rows["Badges earned"] == ["2", "1"]
    assert rows["Active members"] == ["3", ""]
    spreadsheet = client.get(
        reverse("learning:district_dashboard_csv", args=[district.slug]), {"format": "xlsx"}
    )
    assert spreadsheet["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(spreadsheet.content)).active
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert cells["PD hours credited"] == (4.5, 2) and cells["Badges earned"] == (2, 1)


def _takes_around_midnight(district, zone) -> None:
    """Takes finished in the first second of this school year and of the one before, and in
    the last second before each, on the clock of `zone`."""
    first = datetime.combine(THIS_YEAR, time.min, tzinfo=zone)
    year_before = datetime.combine(THIS_YEAR.replace(year=THIS_YEAR.year - 1), time.min, zone)
    second = timedelta(seconds=1)
    for moment in (first, first - second, year_before, year_before - second):
        user = active_member(district, assessed_on=THIS_YEAR_DAY)
        SelfAssessment.objects.filter(user=user).update(completed_at=moment)


def test_the_school_year_begins_at_midnight(district):
    """A take finished in the first second of the school year counts in it, and one in the
    last second before it in the year before."""
    _takes_around_midnight(district, zoneinfo.ZoneInfo("UTC"))
    numbers = figures(dashboard_get(district=district, year_start=THIS_YEAR))
    assert numbers["Self-assessments finished"] == (1, 2)


@pytest.mark.needs_postgres
def test_the_school_year_begins_at_midnight_on_the_sites_clock(district, settings):
    """With the site in Chicago (five or six hours behind UTC), the years begin at midnight
    there: the roll-up's triggers count a take's day on the site's clock."""
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    _takes_around_midnight(district, chicago)
    settings.TIME_ZONE = "America/Chicago"
    try:
        assert ASSESSMENT_YEARS.sync() is True  # the triggers say another zone: summed again
        numbers = figures(dashboard_get(district=district, year_start=THIS_YEAR))
        assert numbers["Self-assessments finished"] == (1, 2)
    finally:
        settings.TIME_ZONE = "UTC"
        ASSESSMENT_YEARS.sync()
    # In UTC the same moments fall on other days.
    numbers = figures(dashboard_get(district=district, year_start=THIS_YEAR))
    assert numbers["Self-assessments finished"] == (2, 2)


def test_the_dashboard_costs_the_same_queries_for_a_larger_district(
    client, district, district_admin
):
    client.force_login(district_admin)
    url = reverse("learning:district_dashboard", args=[district.slug])

    def queries() -> int:
        client.get(url)  # the layout's links kept, as they are after a site's first screen
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    active_member(district, badges={THIS_YEAR_DAY: "1"})
    small = queries()
    for _ in range(15):
        active_member(district, badges={THIS_YEAR_DAY: "1", LAST_YEAR_DAY: "2"})
    assert queries() == small


def test_wrong_filters_get_a_clear_message(client, district, district_admin):
    client.force_login(district_admin)
    url = reverse("learning:district_dashboard", args=[district.slug])
    response = client.get(url, {"year": "1999-07-01"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    csv_url = reverse("learning:district_dashboard_csv", args=[district.slug])
    assert client.get(csv_url, {"school": "abc"}).status_code == 400


def test_only_the_districts_own_admins_see_it(client, district):
    for person in (
        MembershipFactory(district=district).user,
        MembershipFactory(role="district_admin").user,
    ):
        client.force_login(person)
        for name in ("district_dashboard", "district_dashboard_csv"):
            assert client.get(reverse(f"learning:{name}", args=[district.slug])).status_code == 404
