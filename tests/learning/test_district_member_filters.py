"""The district's member list filters by school, role, state and joining day with the same
FilterSet (learning.filters.MemberFilter) as the REST API's /members: the same parameters
give the same people on the screen and through a token."""

import pytest
from django.urls import reverse

from integrations.services import api_token_create
from learning.models import Membership, School
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_screen_and_the_api_filter_members_alike(client, district, district_admin):
    north = School.objects.create(district=district, name="North Elementary")
    south = School.objects.create(district=district, name="South Middle")
    MembershipFactory(district=district, school=north, user__display_name="Ana North")
    MembershipFactory(district=district, school=south, user__display_name="Sam South")
    gone = MembershipFactory(
        district=district, school=north, is_active=False, user__display_name="Gil Gone"
    )
    _, secret = api_token_create(
        district=district, name="SIS", scopes=["members"], days=30, created_by=district_admin
    )
    client.force_login(district_admin)
    home = reverse("learning:district_home", args=[district.slug])

    for query, expected in [
        ({"school": north.pk}, {"Ana North", "Gil Gone"}),
        ({"school": north.pk, "active": "true"}, {"Ana North"}),
        ({"active": "false"}, {"Gil Gone"}),
        ({"role": "learner", "school": south.pk}, {"Sam South"}),
    ]:
        page = client.get(home, query)
        assert page.status_code == 200
        shown = {m.user.display_name for m in page.context["members"]}
        assert shown == expected, query
        api = client.get("/api/v1/members", query, HTTP_AUTHORIZATION=f"Bearer {secret}")
        names = {row["name"] for row in api.json()["results"]}
        assert names == expected, query
    assert "1 member matches these filters" in page.content.decode()
    assert gone.pk in {
        row["id"]
        for row in client.get(
            "/api/v1/members", {"active": "false"}, HTTP_AUTHORIZATION=f"Bearer {secret}"
        ).json()["results"]
    }


def test_a_wrong_filter_is_explained_and_the_list_still_shows(client, district, district_admin):
    MembershipFactory(district=district)
    other_school = School.objects.create(
        district=MembershipFactory(role="district_admin").district, name="Elsewhere"
    )
    client.force_login(district_admin)
    home = reverse("learning:district_home", args=[district.slug])
    for query in ({"school": other_school.pk}, {"role": "wizard"}, {"since": "2026-02-31"}):
        page = client.get(home, query)
        assert page.status_code == 400, query
        assert "Please correct the highlighted fields" in page.content.decode()
        assert len(page.context["members"]) == Membership.objects.filter(district=district).count()
