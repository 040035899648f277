"""Shared reports: a district admin makes a read-only link to the dashboard or the coverage
with the filters on screen (the coverage's comparison by school or role too); someone not
logged in sees the same aggregates (no names, no filters, no admin links); the link stops
working when it expires or is revoked; a wrong request changes nothing; nobody else can
make or revoke one."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from learning.models import School, SharedReport
from tests.factories import MembershipFactory
from tests.learning.test_insights_coverage import member_rated

pytestmark = pytest.mark.django_db


def share(client, district, **fields) -> str:
    response = client.post(reverse("learning:district_share_create", args=[district.slug]), fields)
    assert response.status_code == 200, response.content
    return re.search(r'value="(http[^"]+/insights/shared/[^"]+)"', response.content.decode())[1]


def test_a_shared_coverage_shows_the_same_aggregates_to_anyone_until_revoked(
    client, district, district_admin
):
    for _ in range(5):
        member_rated(district, {"2.7": 0})
    named = member_rated(district, {"2.7": 3})
    client.force_login(district_admin)
    screen = client.get(
        reverse("learning:district_coverage", args=[district.slug]), {"framework": "ISTE-E"}
    ).content.decode()
    link = share(client, district, kind="coverage", framework="ISTE-E", days="7")
    client.logout()
    shared = client.get(link.removeprefix("http://testserver"))
    page = shared.content.decode()
    assert shared.status_code == 200 and shared["Cache-Control"] == "no-store"
    assert "5</a> <small>(83%)</small>" in screen  # the admin's cell links to the people
    assert '<td class="heatmap__cell heatmap__cell--4">5 <small>(83%)</small></td>' in page
    assert "coverage/people" not in page
    assert "figures only, no one is named" in page
    assert named.display_name not in page and named.email not in page
    assert "Download these numbers" not in page and 'name="framework"' not in page
    assert AuditEntry.objects.filter(action="report_shared").count() == 1

    report = SharedReport.objects.get()
    client.force_login(district_admin)
    client.post(reverse("learning:district_share_revoke", args=[district.slug, report.pk]))
    client.logout()
    gone = client.get(link.removeprefix("http://testserver"))
    assert gone.status_code == 410 and "The district withdrew this link" in gone.content.decode()


def test_a_shared_coverage_keeps_its_comparison_by_school(client, district, district_admin):
    school = School.objects.create(district=district, name="Lincoln Middle School")
    for _ in range(5):
        member_rated(district, {"2.7": 3}, school=school)
    client.force_login(district_admin)
    link = share(client, district, kind="coverage", framework="ISTE-E", compare="school", days="7")
    report = SharedReport.objects.get()
    assert report.filters == {"framework": "ISTE-E", "compare": "school"}
    assert report.title.endswith("coverage, by school")
    client.logout()
    page = client.get(link.removeprefix("http://testserver")).content.decode()
    assert '<th scope="col">Lincoln Middle School <small' in page
    assert "<strong>100%</strong> at 2 or above" in page  # all five at level 3 on 2.7
    assert "coverage/people" not in page and 'name="compare"' not in page


def test_a_shared_dashboard_stops_when_it_expires(client, district, district_admin):
    client.force_login(district_admin)
    link = share(client, district, kind="dashboard", days="30")
    client.logout()
    path = link.removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    SharedReport.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(path)
    assert expired.status_code == 410 and "This link expired" in expired.content.decode()
    assert client.get("/insights/shared/not-a-real-token/").status_code == 404


def test_wrong_share_requests_change_nothing(client, district, district_admin):
    client.force_login(district_admin)
    url = reverse("learning:district_share_create", args=[district.slug])
    assert (
        client.post(url, {"kind": "coverage", "framework": "NOPE", "days": "7"}).status_code == 400
    )
    assert client.post(url, {"kind": "dashboard", "days": "365"}).status_code == 400
    assert client.post(url, {"kind": "everything", "days": "7"}).status_code == 404
    assert not SharedReport.objects.exists()


def test_only_the_districts_admins_make_or_revoke_links(client, district, district_admin):
    client.force_login(district_admin)
    share(client, district, kind="dashboard", days="7")
    report = SharedReport.objects.get()
    for person in (
        MembershipFactory(district=district).user,
        MembershipFactory(role="district_admin").user,
    ):
        client.force_login(person)
        create = reverse("learning:district_share_create", args=[district.slug])
        assert client.post(create, {"kind": "dashboard", "days": "7"}).status_code == 404
        revoke = reverse("learning:district_share_revoke", args=[district.slug, report.pk])
        assert client.post(revoke).status_code == 404
    report.refresh_from_db()
    assert report.is_live and SharedReport.objects.count() == 1
