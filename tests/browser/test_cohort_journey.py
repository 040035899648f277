"""A district admin starts a book club for a three-chapter book, sees the weekly schedule
Leap generated, changes one meeting and adds a teacher from the roster; the teacher finds
"Book clubs" in the menu and sees this week's reading, prompts and the next meeting. Every
page is checked with axe; key screens are kept at 1280 and 390 px."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from learning.models import Cohort, CohortSession, Membership
from tests.browser.helpers import assert_accessible, keep_screens, log_in, visit
from tests.factories import (
    BookPageFactory,
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    onboarded,
)


def sections():
    chapters = [
        (
            "Why read together",
            "1–24",
            ["Which story matched your school?", "What would you try first?"],
        ),
        ("Listening to students", "25–58", ["Who speaks most in your class?"]),
        ("Small changes that last", "59–90", ["What will you change on Monday?"]),
    ]
    return [
        {"type": "section", "value": {"number": n, "title": t, "pages": p, "discussion_prompts": q}}
        for n, (t, p, q) in enumerate(chapters, start=1)
    ]


def test_an_admin_starts_a_book_club_and_a_teacher_sees_this_week(live_server, site, page, browser):
    base = live_server.url
    district = DistrictFactory(
        name="Riverside Unified", slug="riverside", time_zone="America/Chicago"
    )
    admin = onboarded(UserFactory(email="dana@riverside.example", display_name="Dana Okafor"))
    MembershipFactory(user=admin, district=district, role=Membership.Role.DISTRICT_ADMIN)
    teacher = onboarded(UserFactory(email="noor@riverside.example", display_name="Noor Haddad"))
    MembershipFactory(user=teacher, district=district)
    BookPageFactory(parent=site, title="Learning Side by Side", sections=sections())
    start = timezone.localdate() + dt.timedelta(days=3)

    # The admin starts a book club from the district screen.
    log_in(page, base, admin.email)
    visit(page, f"{base}/district/riverside/")
    page.get_by_role("link", name="Start a book club").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a book club")
    assert_accessible(page, "start a book club")
    keep_screens(page, "cohort-create")
    page.get_by_label("Title").fill("Spring readers")
    page.get_by_label("Book").select_option(label="Learning Side by Side")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Meeting day").select_option(label="Thursday")
    page.get_by_label("Meeting time").fill("16:30")
    page.get_by_role("button", name="Plan the book club").click()

    # The generated schedule: one meeting a week, a chapter each, with the book's prompts.
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring readers: schedule")
    expect(page.get_by_text("Chapter 2: Listening to students (pp. 25–58)")).to_be_visible()
    expect(
        page.locator(".cohort-prompts li").filter(has_text="Who speaks most in your class?")
    ).to_be_visible()
    assert_accessible(page, "schedule")
    keep_screens(page, "cohort-schedule")
    cohort = Cohort.objects.get(title="Spring readers")
    first = CohortSession.objects.get(cohort=cohort, number=1)

    # She gives the first meeting a place, then opens the book club.
    page.get_by_text("Change meeting 1").click()
    page.locator(f"#id_s{first.pk}-place").fill("Library, room 2")
    page.get_by_role("button", name="Save meeting 1").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.locator(f"#session-{first.pk}")).to_contain_text("Library, room 2")
    page.get_by_role("button", name="Open the book club").click()
    expect(page.get_by_role("status")).to_contain_text("is open")

    # She adds the teacher from the district's roster.
    page.get_by_role("navigation", name="Running this book club").get_by_role(
        "link", name="Members", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring readers: members")
    assert_accessible(page, "members")
    page.get_by_label("Person from the district").first.select_option(
        label="Noor Haddad (noor@riverside.example)"
    )
    page.get_by_role("button", name="Add to the book club").click()
    expect(page.get_by_role("status")).to_contain_text("Noor Haddad is in.")
    expect(page.get_by_role("row", name="Noor Haddad")).to_be_visible()
    keep_screens(page, "cohort-members")

    # The teacher, in a browser of her own, finds Book clubs in the menu.
    other = browser.new_page()
    other.set_default_timeout(15_000)
    log_in(other, base, teacher.email)
    other.get_by_role("navigation", name="Main").get_by_role("link", name="Book clubs").click()
    other.wait_for_url("**/book-clubs/")
    assert_accessible(other, "book clubs")
    keep_screens(other, "cohort-list")
    other.get_by_role("link", name="Spring readers").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Spring readers")
    week = other.get_by_role("region", name="This week")
    expect(week.get_by_role("heading", level=3).first).to_have_text("Chapter 1: Why read together")
    expect(week).to_contain_text("Read before the meeting: pages 1–24")
    expect(week).not_to_contain_text("(pp. 1–24)")  # the title is said once
    expect(week).to_contain_text("Which story matched your school?")
    expect(week).to_contain_text("Library, room 2")
    expect(week).to_contain_text("4:30 p.m.")
    expect(week).to_contain_text("America/Chicago")
    expect(other.get_by_text("0 of 3 meetings held")).to_be_visible()
    assert_accessible(other, "cohort page")
    keep_screens(other, "cohort-member-page")
