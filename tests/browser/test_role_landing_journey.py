"""Each kind of person signs in through the form and lands where their work is, with the menu
showing the areas they have; every landing page passes axe and is kept as a screenshot."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from cms.services import EDITORS_GROUP, editorial_workflow_ensure
from credentials.models import ReviewerPool
from credentials.services.review import pool_member_add
from learning.models import Membership
from tests.browser.helpers import assert_accessible, keep_screens, log_in
from tests.factories import (
    DistrictFactory,
    FrameworkIndexPageFactory,
    MembershipFactory,
    UserFactory,
    learning_catalogue,
    onboarded,
)


@pytest.fixture
def people(site):
    learning_catalogue(site)
    FrameworkIndexPageFactory(parent=site)
    editorial_workflow_ensure(sections=[])
    pool = ReviewerPool.objects.create(name="All micro-credentials")
    district = DistrictFactory(slug="riverside", name="Riverside Unified")

    newcomer = UserFactory(email="new@school.example", display_name="Noor Haddad")
    learner = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    MembershipFactory(user=learner, district=district)
    reviewer = UserFactory(email="sam@reviewers.example", display_name="Sam Okafor")
    pool_member_add(pool=pool, user=reviewer)
    lead = UserFactory(email="lee@reviewers.example", display_name="Lee Park")
    pool_member_add(pool=pool, user=lead, is_lead=True)
    admin = UserFactory(email="dana@riverside.example", display_name="Dana Brooks")
    MembershipFactory(user=admin, district=district, role=Membership.Role.DISTRICT_ADMIN)
    editor = UserFactory(email="priya@leap.example", display_name="Priya Raman")
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return {
        "newcomer": newcomer,
        "learner": learner,
        "reviewer": reviewer,
        "lead": lead,
        "admin": admin,
        "editor": editor,
    }


LANDINGS = [
    # who, where they land, what the page says, the menu items only they have
    ("newcomer", "/welcome/", "Welcome", []),
    ("learner", "/dashboard/", "Welcome back", ["My submissions"]),
    ("reviewer", "/review/", "Review", ["Review"]),
    ("lead", "/review/lead/", "Lead reviewer tools", ["Review", "Lead tools"]),
    ("admin", "/district/riverside/", "Riverside Unified", ["District"]),
]


def test_each_role_lands_where_their_work_is(live_server, people, browser):
    for who, path, heading, menu_items in LANDINGS:
        page = browser.new_context().new_page()
        log_in(page, live_server.url, people[who].email)
        expect(page).to_have_url(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        menu = page.get_by_role("navigation", name="Main")
        for item in menu_items:
            expect(menu.get_by_role("link", name=item, exact=True)).to_be_visible()
        assert_accessible(page, f"{who} landing on {path}")
        keep_screens(page, f"landing-{who}")
        page.context.close()


def test_an_editor_lands_in_the_cms(live_server, people, page):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(people["editor"].email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(live_server.url + "/admin/")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    keep_screens(page, "landing-editor")
