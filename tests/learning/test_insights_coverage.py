"""The framework coverage heatmap: a district admin sees, per element of a framework, how
many of their members' latest self-assessments sit at each level, the badges earned
aligned to it, and the learning that addresses it; small groups are not shown; the CSV has
the screen's numbers; the query count does not grow with the district; nobody else sees it."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cms.models import Framework, MicroCredentialPage
from learning import services
from learning.insights import coverage_get
from learning.models import School
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def member_rated(district, levels: dict[str, int], *, school=None, default: int = 1):
    """A member who finished a self-assessment against ISTE-E with these levels."""
    user = UserFactory()
    MembershipFactory(user=user, district=district, school=school)
    framework = Framework.objects.get(code="ISTE-E")
    take = services.assessment_start(user=user, framework=framework)
    services.assessment_save(
        assessment=take,
        ratings={
            e.pk: (levels.get(e.code, default), "") for e in services.assessable_elements(framework)
        },
        target_level=3,
        complete=True,
    )
    return user


def url(district, name="district_coverage", **query) -> str:
    """The heatmap (or its CSV) of ISTE Educators, unless another framework is asked for."""
    query = {"framework": "ISTE-E", **query}
    base = reverse(f"learning:{name}", args=[district.slug])
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_heatmap_counts_each_members_latest_take_per_level(
    client, district, district_admin, catalogue
):
    for _ in range(4):
        member_rated(district, {"2.7": 0})
    changed_mind = member_rated(district, {"2.7": 0})
    take = services.assessment_start(
        user=changed_mind, framework=Framework.objects.get(code="ISTE-E")
    )
    services.assessment_save(assessment=take, ratings={}, target_level=3, complete=False)
    services.assessment_save(
        assessment=take,
        ratings={e.pk: (3, "") for e in services.assessable_elements(take.framework)},
        complete=True,
    )
    data = MicroCredentialPage.objects.get(title="Using Classroom Data")
    services.badge_earned(
        user=changed_mind,
        micro_credential_id=data.pk,
        title=data.title,
        hours=Decimal("3"),
        earned_on=date(2026, 11, 1),
        key="test-badge",
    )
    coverage = coverage_get(district=district, framework=Framework.objects.get(code="ISTE-E"))
    analyst = next(row for row in coverage.elements if row.element.code == "2.7")
    assert analyst.counts == [4, 0, 0, 1]  # the later take, not the first, counts
    assert analyst.badges == 1
    assert ("Micro-credential", "Using Classroom Data") in [
        (kind, page.title) for kind, page in analyst.resources
    ]
    assert coverage.assessed == 5 and coverage.members == 6  # the admin has not assessed

    client.force_login(district_admin)
    page = client.get(url(district)).content.decode()
    assert "<strong>5</strong> of <strong>6</strong> active members" in page
    assert (
        'level=0" aria-label="4 people at level 0 on 2.7: who they are">4</a> <small>(80%)</small>'
        in page
    )
    # Behind the cell: the four who rated themselves 0, by name (admins only).
    people = client.get(
        reverse("learning:district_coverage_people", args=[district.slug]),
        {"framework": "ISTE-E", "element": "2.7", "level": "0"},
    ).content.decode()
    assert "4 members" in people and changed_mind.display_name not in people
    assert "Using Classroom Data" in page

    exported = client.get(url(district, "district_coverage_csv"))
    rows = {row[0]: row for row in csv.reader(io.StringIO(exported.content.decode()))}
    assert rows["2.7"][2:] == ["5", "4", "0", "0", "1", "1"]  # rated, levels 0-3, badges


def test_a_group_smaller_than_five_is_not_shown(client, district, district_admin):
    school = School.objects.create(district=district, name="Lincoln Middle")
    for _ in range(3):
        member_rated(district, {"2.7": 2}, school=school)
    client.force_login(district_admin)
    page = client.get(url(district, school=school.pk)).content.decode()
    assert "Fewer than 5 people rated it: not shown" in page
    assert "heatmap__cell--" not in page
    exported = client.get(url(district, "district_coverage_csv", school=school.pk))
    rows = {row[0]: row for row in csv.reader(io.StringIO(exported.content.decode()))}
    assert rows["2.7"][2:7] == ["3", "", "", "", ""]


def test_the_heatmap_costs_the_same_queries_for_a_larger_district(client, district, district_admin):
    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(district)).status_code == 200
        return len(captured)

    client.force_login(district_admin)
    for _ in range(5):
        member_rated(district, {"2.7": 2})
    small = queries()
    for _ in range(20):
        member_rated(district, {"2.7": 1})
    assert queries() == small


def test_wrong_filters_get_a_clear_message(client, district, district_admin):
    client.force_login(district_admin)
    response = client.get(url(district, framework="NOPE"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    csv_response = client.get(url(district, "district_coverage_csv", role="mayor"))
    assert csv_response.status_code == 400 and "role" in csv_response.content.decode()


def test_the_people_behind_a_cell_are_the_districts_admins_to_see(client, district, district_admin):
    for _ in range(5):
        member_rated(district, {"2.7": 2})
    people_url = reverse("learning:district_coverage_people", args=[district.slug])
    query = {"framework": "ISTE-E", "element": "2.7", "level": "2"}
    client.force_login(district_admin)
    assert client.get(people_url, {**query, "level": "9"}).status_code == 404
    assert client.get(people_url, {**query, "element": "NOPE"}).status_code == 404
    assert client.get(people_url, {**query, "framework": "NOPE"}).status_code == 400
    client.force_login(MembershipFactory(role="district_admin").user)
    assert client.get(people_url, query).status_code == 404


def test_only_the_districts_own_admins_see_it(client, district):
    learner = MembershipFactory(district=district).user
    other_admin = MembershipFactory(role="district_admin").user
    for person in (learner, other_admin):
        client.force_login(person)
        assert client.get(url(district)).status_code == 404
        assert client.get(url(district, "district_coverage_csv")).status_code == 404
