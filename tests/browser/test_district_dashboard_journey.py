"""A district admin's dashboard, as they use it: this year's PD hours and badges of their
members, one school's by choosing it in the filter, a revoked badge gone from the figures
on reload, and a PD goal set that is still there after a reload."""

import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from learning import services
from learning.models import School
from tests.browser.helpers import keep_screens, log_in
from tests.factories import DistrictFactory, MembershipFactory, UserFactory


def figure(page, label: str):
    """This year's cell of the figures' table, by the figure's name."""
    row = page.locator("tbody tr", has=page.get_by_role("rowheader", name=label, exact=True))
    return row.locator("td").first


def test_a_district_admin_reads_filters_and_sets_a_goal_on_the_dashboard(live_server, site, page):
    district = DistrictFactory(name="Riverside Unified", slug="riverside")
    north = School.objects.create(district=district, name="North Elementary")
    south = School.objects.create(district=district, name="South High")
    admin = UserFactory(email="ada@riverside.example")
    MembershipFactory(user=admin, district=district, role="district_admin")
    today = timezone.localdate()
    for school, hours, key in ((north, "3", "north-1"), (south, "2", "south-1")):
        teacher = UserFactory()
        MembershipFactory(user=teacher, district=district, school=school)
        services.badge_earned(
            user=teacher,
            micro_credential_id=None,
            title="Using Classroom Data",
            hours=Decimal(hours),
            earned_on=today,
            key=key,
        )
        if school == north:
            north_teacher = teacher

    log_in(page, live_server.url, admin.email)
    page.goto(live_server.url + "/district/riverside/insights/")
    expect(figure(page, "PD hours credited")).to_have_text("5")
    expect(figure(page, "Badges earned")).to_have_text("2")
    keep_screens(page, "district dashboard, figures")

    page.get_by_label("School:", exact=True).select_option(label="North Elementary")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"school={north.pk}"))
    expect(page.get_by_label("School:", exact=True)).to_have_value(str(north.pk))
    expect(figure(page, "PD hours credited")).to_have_text("3")

    # The badge is revoked elsewhere: the next look at the dashboard no longer counts it.
    services.badge_withdrawn(user=north_teacher, key="north-1", reason="Revoked")
    page.reload()
    expect(figure(page, "PD hours credited")).to_have_text("0")
    expect(figure(page, "Badges earned")).to_have_text("0")

    page.goto(live_server.url + "/district/riverside/insights/")
    page.get_by_label("Hours per school year").fill("10")
    page.get_by_role("button", name="Set the goal").click()
    goals = page.get_by_role("region", name=re.compile("PD goals"))
    expect(
        goals.get_by_role("rowheader", name=re.compile("Everyone else: 10 hours"))
    ).to_be_visible()
    page.reload()
    expect(
        goals.get_by_role("rowheader", name=re.compile("Everyone else: 10 hours"))
    ).to_be_visible()
    expect(figure(page, "PD hours credited")).to_have_text("2")  # South's badge stands
