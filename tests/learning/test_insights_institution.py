"""The district rating itself: a team rates the district against a system framework
(Digital Leap, ISTE Essential Conditions) with evidence and the names of who agreed; a
round is finished only when complete; finished rounds compare side by side; the lowest
rated elements come with the learning that addresses them; nobody else sees any of it."""

import pytest
from django.urls import reverse

from cms.models import Framework, PathwayAlignment
from learning import services
from learning.models import InstitutionalAssessment
from tests.factories import MembershipFactory, PathwayIndexPageFactory, PathwayPageFactory

pytestmark = pytest.mark.django_db


def start(client, district, **fields):
    url = reverse("learning:district_institution", args=[district.slug])
    return client.post(url, fields)


def rate(client, district, assessment, levels: dict, team, **extra):
    elements = services.assessable_elements(assessment.framework)
    data = {f"level_{e.pk}": levels.get(e.code, levels.get("*", "")) for e in elements}
    data.update({f"evidence_{e.pk}": f"Evidence for {e.code}" for e in elements})
    data["team"] = [person.pk for person in team]
    data.update(extra)
    url = reverse("learning:district_institution_round", args=[district.slug, assessment.pk])
    return client.post(url, data)


def test_a_team_rates_the_district_and_compares_rounds(client, district, district_admin):
    colleague = MembershipFactory(district=district).user
    client.force_login(district_admin)
    assert start(client, district, framework="CTO", title="x").status_code == 400  # people
    start(client, district, framework="EC2", title="Spring 2026 review")
    first = InstitutionalAssessment.objects.get()
    codes = [e.code for e in services.assessable_elements(first.framework)]

    saved = rate(client, district, first, {codes[0]: "1"}, [district_admin], save="1")
    assert saved.status_code == 302  # a partial save is fine
    refused = rate(client, district, first, {codes[0]: "1"}, [district_admin], finish="1")
    assert (
        refused.status_code == 400
        and "Rate every element before finishing" in refused.content.decode()
    )
    done = rate(
        client, district, first, {"*": "2", codes[0]: "0"}, [district_admin, colleague], finish="1"
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.completed_at and set(first.team.all()) == {district_admin, colleague}
    page = client.get(done["Location"]).content.decode()
    assert "Where to start" in page and f"{codes[0]}" in page and "Evidence for" in page
    # A finished round does not change.
    assert (
        rate(client, district, first, {"*": "3"}, [district_admin], finish="1").status_code == 200
    )
    assert first.ratings.filter(level=3).count() == 0

    start(client, district, framework="EC2", title="Autumn 2026 review")
    second = InstitutionalAssessment.objects.get(title="Autumn 2026 review")
    rate(client, district, second, {"*": "3"}, [colleague], finish="1")
    compare = client.get(
        reverse("learning:district_institution_compare", args=[district.slug]), {"framework": "EC2"}
    ).content.decode()
    assert "Spring 2026 review" in compare and "Autumn 2026 review" in compare
    assert compare.index("Spring 2026 review") < compare.index("Autumn 2026 review")


def test_recommendations_name_the_learning_for_the_lowest_elements(district, district_admin):
    from cms.demo import site_tree_ensure

    site = site_tree_ensure()
    framework = Framework.objects.get(code="EC2")
    elements = services.assessable_elements(framework)
    pathway = PathwayPageFactory(
        parent=PathwayIndexPageFactory(parent=site), title="Funding the Leap"
    )
    PathwayAlignment.objects.create(page=pathway, element=elements[0], sort_order=0)
    round_ = services.institutional_assessment_start(
        district=district, framework=framework, title="Spring", created_by=district_admin
    )
    services.institutional_assessment_save(
        assessment=round_,
        ratings={e.pk: (0 if e == elements[0] else 3, "") for e in elements},
        team_ids=[district_admin.pk],
        complete=True,
    )
    from learning.insights import institutional_recommendations

    [first] = institutional_recommendations(assessment=round_)
    assert first.element == elements[0] and [p.title for _, p in first.resources] == [
        "Funding the Leap"
    ]


def test_the_team_is_of_the_district_and_wrong_levels_change_nothing(
    client, district, district_admin
):
    outsider = MembershipFactory().user
    client.force_login(district_admin)
    start(client, district, framework="EC2", title="Spring")
    assessment = InstitutionalAssessment.objects.get()
    response = rate(client, district, assessment, {"*": "2"}, [outsider], finish="1")
    assert "The team can only be active members of the district." in response.content.decode()
    response = rate(client, district, assessment, {"*": "7"}, [district_admin], finish="1")
    assert response.status_code == 400 and "choose a level from 0 to 3" in response.content.decode()
    assert (
        not assessment.ratings.exists() and not InstitutionalAssessment.objects.get().completed_at
    )


def test_only_the_districts_admins_see_its_rounds(client, district, district_admin):
    round_ = services.institutional_assessment_start(
        district=district,
        framework=Framework.objects.get(code="DL"),
        title="Spring",
        created_by=district_admin,
    )
    for person in (
        MembershipFactory(district=district).user,
        MembershipFactory(role="district_admin").user,
    ):
        client.force_login(person)
        for url in (
            reverse("learning:district_institution", args=[district.slug]),
            reverse("learning:district_institution_round", args=[district.slug, round_.pk]),
            reverse("learning:district_institution_compare", args=[district.slug]),
        ):
            assert client.get(url).status_code == 404
