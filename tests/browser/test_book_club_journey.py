"""Issue 12, done when: a book club from start to badge, as the people would do it.

A facilitator (not a district admin) starts a book club for the demo book with a completion
badge and invites a teacher; the teacher accepts, reads this week's prompts, posts and says
she is going; the weeks pass; she writes her synthesis; the facilitator takes attendance at
each meeting; the teacher has completed: the hours are on her transcript and the badge on
her badges page, and the official Open Badges validator accepts it.

Everything is done through the pages. The ORM is used only to set the scene (district,
people, the demo catalogue) and once to move time: meetings can only be planned in the
future and attendance and completion need them past, so the whole schedule is moved back
by the same amount, keeping it weekly.
"""

import datetime as dt

from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from cms.demo_catalogue import catalogue_ensure
from credentials.models import Assertion
from learning.models import Cohort, CohortSession, Membership
from tests.browser.helpers import assert_accessible, keep_screens, log_in, visit
from tests.credentials.test_official_validator import validate
from tests.factories import DistrictFactory, MembershipFactory, UserFactory, onboarded

BOOK = "Learning on Purpose: Teacher-Led Professional Growth with Technology"
BADGE = "Coaching Cycles for Technology Integration"


def test_a_book_club_from_invitation_to_hours_and_a_valid_badge(
    live_server, site, browser, settings
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    catalogue_ensure(site)
    district = DistrictFactory(
        name="Riverside Unified", slug="riverside", time_zone="America/Chicago"
    )
    fran = onboarded(UserFactory(email="fran@riverside.example", display_name="Fran Moreau"))
    MembershipFactory(user=fran, district=district, role=Membership.Role.FACILITATOR)
    ana = onboarded(UserFactory(email="ana@riverside.example", display_name="Ana Díaz"))
    MembershipFactory(user=ana, district=district)
    first_day = timezone.localdate() + dt.timedelta(days=2)

    # The facilitator starts the book club from her district screen.
    host = browser.new_context().new_page()
    host.set_default_timeout(15_000)
    log_in(host, base, fran.email)
    host.get_by_role("navigation", name="Main").get_by_role("link", name="District").click()
    host.get_by_role("link", name="Start a book club").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Start a book club")
    assert_accessible(host, "start a book club")
    host.get_by_label("Title").fill("Spring readers")
    host.get_by_label("Book").select_option(label=BOOK)
    host.get_by_label("Start date").fill(first_day.isoformat())
    host.get_by_label("Meeting day").select_option(label=first_day.strftime("%A"))
    host.get_by_label("Meeting time").fill("16:30")
    host.get_by_label("By invitation only").check()
    host.get_by_label("Meetings attended to complete (%)").fill("100")
    host.get_by_label("Discussions posted in to complete").fill("1")
    host.get_by_label("Reading hours credited on completion").fill("2")
    host.get_by_label("Badge earned on completion (optional)").select_option(label=BADGE)
    keep_screens(host, "book-club-start")
    host.get_by_role("button", name="Plan the book club").click()

    expect(host.get_by_role("heading", level=1)).to_have_text("Spring readers: schedule")
    expect(host.get_by_text("4 meetings, times in America/Chicago.")).to_be_visible()
    expect(
        host.locator(".cohort-prompts li").filter(
            has_text="What is the smallest change you could try next week?"
        )
    ).to_be_visible()
    assert_accessible(host, "schedule")
    host.get_by_role("button", name="Open the book club").click()
    expect(host.get_by_role("status")).to_contain_text("is open")
    keep_screens(host, "book-club-schedule")
    cohort = Cohort.objects.get(title="Spring readers")
    assert cohort.completion_badge.title == BADGE

    # She invites Ana from the district's people.
    host.get_by_role("navigation", name="Running this book club").get_by_role(
        "link", name="Members", exact=True
    ).click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Spring readers: members")
    assert_accessible(host, "members")
    invite = host.locator("form").filter(has=host.get_by_role("heading", name="Invite by e-mail"))
    invite.get_by_label("Person from the district").select_option(
        label="Ana Díaz (ana@riverside.example)"
    )
    invite.get_by_role("button", name="Send the invitation").click()
    expect(host.get_by_role("status")).to_contain_text("Invitation sent to ana@riverside.example")
    expect(host.get_by_role("region", name="Invited, no answer yet")).to_contain_text("Ana Díaz")
    # And a colleague who is not on Leap yet, by address: the district's invitation
    # e-mail brings the club.
    new = host.locator("form").filter(has=host.get_by_role("heading", name="Invite someone new"))
    new.get_by_label("E-mail address").fill("not an address")
    new.get_by_role("button", name="Invite to the book club").click()
    expect(host.get_by_text("Enter a valid email address.")).to_be_visible()
    new = host.locator("form").filter(has=host.get_by_role("heading", name="Invite someone new"))
    new.get_by_label("E-mail address").fill("new.colleague@riverside.example")
    new.get_by_role("button", name="Invite to the book club").click()
    expect(host.get_by_role("status")).to_contain_text("invited to join Riverside")
    expect(host.get_by_role("region", name="Invited to join Riverside Unified")).to_contain_text(
        "new.colleague@riverside.example"
    )
    assert_accessible(host, "members after inviting")
    keep_screens(host, "book-club-members")

    # Ana finds the invitation under Book clubs and joins.
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, ana.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Book clubs").click()
    page.wait_for_url("**/book-clubs/")
    assert_accessible(page, "book clubs with an invitation")
    page.get_by_role("link", name="See the invitation to Spring readers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are invited to “Spring readers”")
    assert_accessible(page, "invitation")
    page.get_by_role("button", name="Join the book club").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to “Spring readers”.")

    # The cohort page: this week's reading and prompts, and the next meeting with RSVP.
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring readers")
    week = page.get_by_role("region", name="This week")
    expect(week).to_contain_text("Your classroom is the curriculum")
    expect(week).to_contain_text("Which moment in a recent lesson would you most like to improve?")
    expect(week).to_contain_text("4:30 p.m.")
    assert_accessible(page, "cohort page")
    week.get_by_role("button", name="Going", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("you are going to")
    expect(page.get_by_text("You said you are going.")).to_be_visible()
    assert_accessible(page, "cohort page after RSVP")
    keep_screens(page, "book-club-member-page")

    # She opens the week's discussion from the page and posts.
    week.get_by_role("link", name="Discussion").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Discussion: Chapter 1: Your classroom is the curriculum"
    )
    assert_accessible(page, "discussion")
    page.get_by_label("Your post").fill(
        "The moment I want to improve: the **first five minutes**, when half the class waits."
    )
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your post is up.")
    expect(page.locator(".post__body strong", has_text="first five minutes")).to_be_visible()
    assert_accessible(page, "discussion after posting")
    keep_screens(page, "book-club-discussion")

    # Time passes: every meeting moves back by the same amount, so the last one ended an
    # hour ago and the schedule stays one meeting a week.
    sessions = CohortSession.objects.filter(cohort=cohort)
    last = sessions.order_by("-starts_at").first()
    shift = last.starts_at + dt.timedelta(minutes=last.duration_minutes + 60) - timezone.now()
    sessions.update(starts_at=F("starts_at") - shift)

    # After the last meeting Ana writes her synthesis in its discussion.
    visit(page, f"{base}/book-clubs/{cohort.pk}/", "cohort page after the meetings")
    expect(page.get_by_text("Every meeting has taken place.")).to_be_visible()
    expect(page.get_by_text("4 of 4 meetings held")).to_be_visible()
    page.get_by_role("link", name="Discussion for Chapter 4: Showing what you learned").click()
    page.wait_for_url("**/discussion/")
    assert_accessible(page, "last discussion")
    page.get_by_label("Your post").fill(
        "What I will change: a two-minute starter on the board every lesson, and I will ask "
        "the quiet students first."
    )
    page.get_by_label("This is my synthesis").check()
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your post is up.")
    expect(page.locator(".post--synthesis")).to_contain_text("two-minute starter")

    # The facilitator takes attendance at each meeting from the schedule.
    schedule_url = f"{base}/book-clubs/{cohort.pk}/schedule/"
    visit(host, schedule_url, "schedule after the meetings")
    for number in range(1, 5):
        if number > 1:
            host.goto(schedule_url)
        host.get_by_role("link", name=f"Take attendance for meeting {number}").click()
        host.wait_for_url("**/attendance/")
        assert_accessible(host, f"attendance {number}")
        host.get_by_label("Attendance for Ana Díaz").select_option("present")
        host.get_by_role("button", name="Save attendance").click()
        expect(host.get_by_role("status")).to_contain_text("Attendance saved for 1 of 1")
        if number == 4:
            keep_screens(host, "book-club-attendance")
    host.get_by_role("link", name="Roster").first.click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Roster: attendance and posts")
    assert_accessible(host, "roster")
    ana_row = host.get_by_role("row", name="Ana Díaz")
    expect(ana_row).to_contain_text("4 of 4 (100%)")

    # Ana has completed: six hours (four one-hour meetings and two for reading) on her
    # transcript, and the badge on her badges page.
    visit(page, f"{base}/dashboard/")
    page.get_by_role("link", name="Transcript").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Professional-learning transcript")
    line = page.get_by_role("row", name="Spring readers (book club)")
    expect(line.locator("td.numeric")).to_have_text("6")
    assert_accessible(page, "transcript")
    keep_screens(page, "book-club-transcript")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My badges").click()
    expect(page.locator("main")).to_contain_text(BADGE)
    assert_accessible(page, "my badges")
    keep_screens(page, "book-club-badges")

    assertion = Assertion.objects.get(recipient=ana)
    verdict = validate(f"{base}/public/assertions/{assertion.uuid}", ana.email)
    assert verdict["valid"] is True, verdict
