"""After logging in, each person lands where their work is, and the menu shows each person
the areas they have."""

import pytest
from django.contrib.auth.models import Permission

from credentials.models import ReviewerPool
from credentials.services.review import pool_member_add
from learning.models import Membership
from tests.factories import (
    DEFAULT_PASSWORD,
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    onboarded,
)

pytestmark = pytest.mark.django_db


def landing(client, user, next_url: str = "") -> str:
    data = {"login": user.email, "password": DEFAULT_PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data)
    assert response.status_code == 302
    return response["Location"]


@pytest.fixture
def pool(db):
    return ReviewerPool.objects.create(name="All micro-credentials")


def test_a_learner_lands_on_the_dashboard(client):
    assert landing(client, onboarded(UserFactory())) == "/dashboard/"


def test_a_reviewer_lands_on_the_queue_and_a_lead_on_the_lead_tools(client, pool):
    reviewer, lead = UserFactory(), UserFactory()
    pool_member_add(pool=pool, user=reviewer)
    pool_member_add(pool=pool, user=lead, is_lead=True)
    assert landing(client, reviewer) == "/review/"
    client.logout()
    assert landing(client, lead) == "/review/lead/"


def test_a_district_admin_lands_on_their_district(client):
    admin = UserFactory()
    district = DistrictFactory(slug="riverside")
    MembershipFactory(user=admin, district=district, role=Membership.Role.DISTRICT_ADMIN)
    assert landing(client, admin) == "/district/riverside/"


def test_an_editor_lands_in_the_cms(client):
    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert landing(client, editor) == "/admin/"


def test_a_link_they_followed_wins(client, pool):
    reviewer = UserFactory()
    pool_member_add(pool=pool, user=reviewer)
    assert landing(client, reviewer, next_url="/my/badges/") == "/my/badges/"


def test_the_menu_shows_each_person_their_areas(client, pool):
    learner = onboarded(UserFactory())
    client.force_login(learner)
    menu = client.get("/my/badges/").content.decode()
    assert "My submissions" in menu
    assert "Lead tools" not in menu and ">District<" not in menu and ">Review<" not in menu

    lead = UserFactory()
    pool_member_add(pool=pool, user=lead, is_lead=True)
    MembershipFactory(
        user=lead, district=DistrictFactory(slug="riverside"), role=Membership.Role.DISTRICT_ADMIN
    )
    client.force_login(lead)
    menu = client.get("/my/badges/").content.decode()
    assert 'href="/review/">Review<' in menu
    assert 'href="/review/lead/">Lead tools<' in menu
    assert 'href="/district/riverside/">District<' in menu
