"""A book-club meeting, as the people would do it: a member posts with Markdown, replies
and RSVPs for the next meeting; the facilitator hides an off-topic post with a reason and
shows the check-in code; the member checks in with it; the facilitator sees it on the
roster. axe checks every page; the discussion, check-in and roster screens are kept."""

import datetime as dt

from playwright.sync_api import expect

from learning.cohorts import discussion
from learning.models import Attendance, Rsvp
from tests.browser.helpers import assert_accessible, keep_screens, log_in, visit
from tests.factories import onboarded
from tests.learning.cohorts.factories import (
    cohort_make,
    facilitator_of,
    person_in,
    session_make,
)


def test_a_meeting_with_discussion_rsvp_and_check_in(live_server, site, page, browser):
    base = live_server.url
    cohort = cohort_make(title="Reading “Digital Leaders” together")
    now_meeting = session_make(
        cohort,
        title="Chapter 1: Why change?",
        starts_in=-dt.timedelta(minutes=3),
        reading="Chapter 1",
        place="Library, room 2",
        prompts=["What surprised you?", "What is one thing you will try this month?"],
    )
    next_meeting = session_make(
        cohort, number=2, title="Chapter 2: Trust", starts_in=dt.timedelta(days=7)
    )
    fran = onboarded(facilitator_of(cohort, name="Fran Facilitator"))
    ana = onboarded(person_in(cohort, name="Ana Díaz"))
    ben = person_in(cohort, name="Ben Okafor")
    cy = person_in(cohort, name="Cy Moreno")
    discussion.post_create(session=now_meeting, author=ben, body="The part on *trust* hit home.")
    discussion.post_create(session=now_meeting, author=cy, body="Selling my old phone, anyone?")
    discussion_url = f"{base}/book-clubs/{cohort.pk}/sessions/{now_meeting.pk}/discussion/"

    # The member posts with Markdown and replies to a colleague.
    log_in(page, base, ana.email)
    visit(page, discussion_url, "cohort discussion")
    expect(page.get_by_role("heading", level=1)).to_have_text("Discussion: Chapter 1: Why change?")
    expect(page.get_by_text("What is one thing you will try this month?")).to_be_visible()
    page.get_by_label("Your post").fill(
        "I will try **exit tickets** every Friday.\n\n- short\n- kind"
    )
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your post is up.")
    expect(page.locator("strong", has_text="exit tickets")).to_be_visible()
    expect(page.locator(".post__body li", has_text="kind")).to_be_visible()
    assert_accessible(page, "discussion after posting")

    page.get_by_text("Reply to Ben Okafor").click()
    page.locator(f"#id_reply_{ben.cohort_posts.get().pk}_body").fill(
        "Same here, _especially_ page 12."
    )
    page.get_by_role("button", name="Reply", exact=True).first.click()
    expect(page.get_by_role("status")).to_contain_text("Your reply is up.")
    expect(page.locator(".replies em", has_text="especially")).to_be_visible()
    assert_accessible(page, "discussion after replying")

    # She says she is going to the next meeting.
    visit(
        page,
        f"{base}/book-clubs/{cohort.pk}/sessions/{next_meeting.pk}/discussion/",
        "next meeting",
    )
    page.get_by_role("button", name="Going", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("you are going to “Chapter 2: Trust”")
    expect(page.get_by_text("You said you are going.")).to_be_visible()
    assert_accessible(page, "after RSVP")
    assert Rsvp.objects.get(user=ana, session=next_meeting).answer == "going"

    # The facilitator hides the off-topic post, saying why, and shows the code.
    host = browser.new_page()
    host.set_default_timeout(15_000)
    log_in(host, base, fran.email)
    visit(host, discussion_url, "facilitator discussion")
    host.get_by_role("link", name="Hide the post by Cy Moreno").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Hide a post")
    assert_accessible(host, "hide a post")
    host.get_by_role("button", name="Hide the post").click()
    expect(host.get_by_role("alert")).to_contain_text("The post is still showing")
    host.get_by_label("Why is it hidden?").fill("Off topic: this space is for the book.")
    host.get_by_role("button", name="Hide the post").click()
    expect(host.get_by_text("Off topic: this space is for the book.")).to_be_visible()
    assert_accessible(host, "discussion with a hidden post")
    keep_screens(host, "cohort discussion facilitator")

    host.get_by_role("link", name="Show the check-in code").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Check-in code")
    assert_accessible(host, "check-in code")
    keep_screens(host, "cohort check-in code")
    code = host.locator("[data-code]").inner_text().strip()
    assert len(code) == 6 and code.isdigit()

    # The member sees the hidden post's reason, then checks in with the code.
    visit(page, discussion_url)
    expect(
        page.get_by_text("Hidden by the facilitator: Off topic: this space is for the book.")
    ).to_be_visible()
    expect(page.get_by_text("Selling my old phone")).to_have_count(0)
    keep_screens(page, "cohort discussion member")
    page.get_by_role("link", name="Check in with the code on screen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check in: Chapter 1: Why change?")
    assert_accessible(page, "check-in")
    page.get_by_label("Check-in code").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("alert")).to_contain_text("You are not checked in yet")
    expect(page.get_by_text("it changes every minute")).to_be_visible()
    assert_accessible(page, "check-in refused")
    keep_screens(page, "cohort check-in refused")
    page.get_by_label("Check-in code").fill(host.locator("[data-code]").inner_text().strip())
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("You are checked in: present.")
    assert_accessible(page, "checked in")
    keep_screens(page, "cohort check-in")
    assert Attendance.objects.get(user=ana, session=now_meeting).status == "present"

    # The facilitator marks the others and sees everyone on the roster.
    host.get_by_role("link", name="Take attendance").click()
    host.wait_for_url("**/attendance/")
    assert_accessible(host, "attendance")
    host.get_by_label("Attendance for Ben Okafor").select_option("late")
    host.get_by_label("Attendance for Cy Moreno").select_option("absent")
    host.get_by_role("button", name="Save attendance").click()
    expect(host.get_by_role("status")).to_contain_text("Attendance saved for 3 of 3")
    keep_screens(host, "cohort attendance")
    host.get_by_role("link", name="Roster").first.click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Roster: attendance and posts")
    ana_row = host.get_by_role("row", name="Ana Díaz")
    expect(ana_row).to_contain_text("Present")
    expect(ana_row).to_contain_text("1 of 1 (100%)")
    expect(host.get_by_role("row", name="Cy Moreno")).to_contain_text("Absent")
    assert_accessible(host, "roster")
    keep_screens(host, "cohort roster")
