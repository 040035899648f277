"""The framework coverage heatmap: a district admin sees, per element of a framework, how
many of their members' latest self-assessments sit at each level, the badges earned
aligned to it, and the learning that addresses it, for the district or school by school
or role by role; small groups are not shown; the CSV has the screen's numbers; the query
count does not grow with the district; nobody else sees it."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cms.models import Framework, MicroCredentialPage
from learning import services
from learning.insights import coverage_get
from learning.models import School
from tests.costs import pages_built
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def member_rated(
    district, levels: dict[str, int], *, school=None, role: str = "learner", default: int = 1
):
    """A member who finished a self-assessment against ISTE-E with these levels."""
    user = UserFactory()
    MembershipFactory(user=user, district=district, school=school, role=role)
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
    assert f'Micro-credential: <a href="{data.url}">Using Classroom Data</a>' in page

    exported = client.get(url(district, "district_coverage_csv"))
    rows = {row[0]: row for row in csv.reader(io.StringIO(exported.content.decode()))}
    assert rows["2.7"][2:] == ["5", "4", "0", "0", "1", "1"]  # rated, levels 0-3, badges


def test_the_heatmap_links_its_learning_without_building_a_page(
    client, district, district_admin, catalogue
):
    """The learning that addresses each element is a title and a link, from the pages'
    titles and paths: the heatmap once built every aligned page with its body and rubric."""
    member_rated(district, {"2.7": 0})
    client.force_login(district_admin)
    client.get(url(district))  # warm per-process caches
    with pages_built() as built:
        page = client.get(url(district)).content.decode()
    assert built == []
    for title in ("Using Classroom Data", "Advanced Data Coaching", "Designing Learning"):
        found = MicroCredentialPage.objects.get(title=title)
        assert f'<a href="{found.url}">{title}</a>' in page


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


def queries(client, address: str) -> int:
    client.get(address)  # the layout's links kept, as they are after a site's first screen
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_the_heatmap_costs_the_same_queries_for_a_larger_district(client, district, district_admin):
    client.force_login(district_admin)
    for _ in range(5):
        member_rated(district, {"2.7": 2})
    small = queries(client, url(district))
    for _ in range(20):
        member_rated(district, {"2.7": 1})
    assert queries(client, url(district)) == small


def compared_district(district) -> dict[str, School]:
    """Lincoln Middle: five learners (three at 0 on 2.7, two at 3); Oak Street: two learners
    at 2 and a facilitator at 1 (too few to show); the admin, in no school, has no take."""
    schools = {
        name: School.objects.create(district=district, name=name)
        for name in ("Oak Street Elementary", "Lincoln Middle School")
    }
    for level in (0, 0, 0, 3, 3):
        member_rated(district, {"2.7": level}, school=schools["Lincoln Middle School"])
    for level in (2, 2):
        member_rated(district, {"2.7": level}, school=schools["Oak Street Elementary"])
    member_rated(district, {"2.7": 1}, school=schools["Oak Street Elementary"], role="facilitator")
    return schools


def test_the_heatmap_compares_schools_and_roles(district, district_admin):
    compared_district(district)
    iste = Framework.objects.get(code="ISTE-E")

    by_school = coverage_get(district=district, framework=iste, compare="school").comparison
    assert [(g.label, g.members) for g in by_school.groups] == [
        ("Lincoln Middle School", 5),
        ("Oak Street Elementary", 3),
        ("No school", 1),  # the admin
    ]
    lincoln, oak, nowhere = next(r for r in by_school.rows if r.element.code == "2.7").groups
    assert lincoln.counts == [3, 0, 0, 2] and lincoln.shown
    assert lincoln.established_percent == 40  # two of five at level 2 or above
    assert oak.counts == [0, 1, 2, 0] and not oak.shown  # three people: not shown
    assert nowhere.rated == 0
    standing = next(r for r in by_school.rows if r.element.code == "2.1").groups
    assert [cell.counts for cell in standing] == [[0, 5, 0, 0], [0, 3, 0, 0], [0, 0, 0, 0]]

    by_role = coverage_get(district=district, framework=iste, compare="role").comparison
    assert [(g.label, g.members) for g in by_role.groups] == [
        ("Learner", 7),
        ("Facilitator", 1),
        ("District admin", 1),
    ]
    learners, facilitators, admins = next(r for r in by_role.rows if r.element.code == "2.7").groups
    assert learners.counts == [3, 0, 2, 2] and learners.established_percent == 57
    assert facilitators.rated == 1 and not facilitators.shown
    assert admins.rated == 0

    only_oak = coverage_get(
        district=district,
        framework=iste,
        school=School.objects.get(name="Oak Street Elementary"),
        compare="role",
    ).comparison
    assert [(g.label, g.members) for g in only_oak.groups] == [
        ("Learner", 2),
        ("Facilitator", 1),
        ("District admin", 0),
    ]


def screen_cells(html: str) -> list[str]:
    """The comparison's cells as a person reads them: text only, spaces collapsed."""
    cells = re.findall(r'<td class="compare__cell[^"]*">(.*?)</td>', html, flags=re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in cells]


def test_the_comparison_on_screen_and_in_the_export_are_the_same(client, district, district_admin):
    compared_district(district)
    client.force_login(district_admin)
    for by in ("school", "role"):
        html = client.get(url(district, compare=by)).content.decode()
        cells = screen_cells(html)
        exported = client.get(url(district, "district_coverage_csv", compare=by))
        assert exported["Content-Disposition"].endswith(f'-iste-e-coverage-by-{by}.csv"')
        header, *rows = csv.reader(io.StringIO(exported.content.decode()))
        assert header[2:5] == [by, "members", "rated"]
        assert header[-1] == "percent at level 2 Established or above"
        assert len(rows) == len(cells) > 0  # one per element and group, in the screen's order
        for row, cell in zip(rows, cells, strict=True):
            rated, counts, percent = row[4], row[5:9], row[9]
            if rated == "fewer than 5":
                assert cell == "Fewer than 5" and counts == [""] * 4 and percent == ""
            elif rated == "0":
                assert cell == "No ratings yet" and percent == ""
            else:
                numbers = [int(n) for n in re.findall(r"\d+", cell)]
                # "40% at 2 or above", "5 rated:", then how many at each level
                levels = [n for level, count in enumerate(counts) for n in (int(count), level)]
                assert numbers == [int(percent), 2, int(rated), *levels], (row, cell)
            assert f'{row[2]} <small class="compare__members">{row[3]} member' in html
        spreadsheet = client.get(url(district, "district_coverage_csv", compare=by, format="xlsx"))
        sheet = load_workbook(io.BytesIO(spreadsheet.content)).active
        assert [
            ["" if value is None else str(value) for value in line]
            for line in sheet.iter_rows(values_only=True)
        ] == [header, *rows]

    html = client.get(url(district, compare="school")).content.decode()
    lincoln = "40% at 2 or above 5 rated: 3 at level 0, 0 at level 1, 0 at level 2, 2 at level 3"
    assert lincoln in screen_cells(html)
    assert "<caption" in html and '<th scope="row"><span class="code">2.7</span>' in html
    assert 'role="region" tabindex="0" aria-labelledby="compare-caption"' in html
    assert 'name="compare" value="school"' in html  # the share form keeps the comparison
    rows = {
        (row[0], row[2]): row[3:]
        for row in csv.reader(
            io.StringIO(
                client.get(
                    url(district, "district_coverage_csv", compare="school")
                ).content.decode()
            )
        )
    }
    assert rows["2.7", "Lincoln Middle School"] == ["5", "5", "3", "0", "0", "2", "40"]
    assert rows["2.7", "Oak Street Elementary"] == ["3", "fewer than 5", "", "", "", "", ""]
    assert rows["2.7", "No school"] == ["1", "0", "", "", "", "", ""]


def test_the_comparison_costs_the_same_queries_for_a_larger_district(
    client, district, district_admin
):
    client.force_login(district_admin)
    compared_district(district)
    addresses = [url(district, compare="school"), url(district, compare="role")]
    small = [queries(client, address) for address in addresses]
    for name in ("Hill Elementary", "Bay High School"):
        school = School.objects.create(district=district, name=name)
        for level in range(8):
            member_rated(district, {"2.7": level % 4}, school=school, role="facilitator")
    assert [queries(client, address) for address in addresses] == small


def test_wrong_filters_get_a_clear_message(client, district, district_admin):
    client.force_login(district_admin)
    response = client.get(url(district, framework="NOPE"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert client.get(url(district, compare="mood")).status_code == 400
    assert client.get(url(district, "district_coverage_csv", compare="mood")).status_code == 400
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
    facilitator = MembershipFactory(district=district, role="facilitator").user
    for person in (learner, other_admin, facilitator):
        client.force_login(person)
        assert client.get(url(district)).status_code == 404
        assert client.get(url(district, "district_coverage_csv")).status_code == 404
        for by in ("school", "role"):
            assert client.get(url(district, compare=by)).status_code == 404
            assert client.get(url(district, "district_coverage_csv", compare=by)).status_code == 404
