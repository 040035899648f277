"""The facilitator writes to the whole book club, writes a meeting's summary, and opens
the final report; the member reads the message and the summary on the club's page. axe
checks every page; the messages page, the final report and the member's page are kept."""

import datetime as dt

from playwright.sync_api import expect

from learning.cohorts import discussion
from learning.models import Attendance, CohortMessage
from tests.browser.helpers import assert_accessible, keep_screens, log_in, visit
from tests.factories import onboarded
from tests.learning.cohorts.factories import (
    cohort_make,
    facilitator_of,
    person_in,
    session_make,
)


def test_messages_summary_and_final_report(live_server, site, page, browser):
    base = live_server.url
    cohort = cohort_make(title="Reading “Digital Leaders” together")
    held = session_make(cohort, title="Chapter 1: Why change?", starts_in=-dt.timedelta(days=2))
    session_make(cohort, number=2, title="Chapter 2: Trust", starts_in=dt.timedelta(days=5))
    fran = onboarded(facilitator_of(cohort, name="Fran Facilitator"))
    ana = onboarded(person_in(cohort, name="Ana Díaz"))
    ben = person_in(cohort, name="Ben Okafor")
    for user, status in ((ana, "present"), (ben, "late")):
        Attendance.objects.create(session=held, user=user, status=status, via="facilitator")
    discussion.post_create(
        session=held, author=ana, body="I will try **exit tickets** weekly.", is_synthesis=True
    )

    log_in(page, base, fran.email)
    visit(page, f"{base}/book-clubs/{cohort.pk}/messages/")
    page.get_by_role("button", name="Send to the whole group").click()
    expect(page.get_by_text("Your message was not sent.")).to_be_visible()
    assert_accessible(page, "messages, refused")
    page.get_by_label("Subject").fill("Bring your chapter 2 notes")
    page.get_by_role("textbox", name="Message").fill("See you **Thursday** in the library.")
    page.get_by_role("button", name="Send to the whole group").click()
    expect(page.get_by_text("was sent to 2 people")).to_be_visible()
    assert_accessible(page, "messages, sent")
    keep_screens(page, "cohort-messages")
    assert CohortMessage.objects.filter(cohort=cohort).count() == 1

    visit(page, f"{base}/book-clubs/{cohort.pk}/schedule/")
    page.get_by_role("link", name="Write a summary of meeting 1").click()
    page.wait_for_url("**/summary/")
    assert_accessible(page, "summary")
    page.get_by_label("Summary of the meeting").fill("We agreed to ask colleagues one question.")
    page.get_by_role("button", name="Save the summary").click()
    expect(page.get_by_text("members see it on the book club's page")).to_be_visible()

    visit(page, f"{base}/book-clubs/{cohort.pk}/final-report/", "cohort-final-report", screens=True)
    expect(page.get_by_role("heading", name="What the group said it will change")).to_be_visible()
    expect(page.get_by_text("I will try exit tickets weekly.")).to_be_visible()
    expect(page.get_by_role("row", name="Ben Okafor")).to_contain_text("1 of 1 (1 late)")

    context = browser.new_context()
    member = context.new_page()
    log_in(member, base, ana.email)
    visit(member, f"{base}/book-clubs/{cohort.pk}/", "cohort-member-messages", screens=True)
    expect(member.get_by_role("heading", name="Bring your chapter 2 notes")).to_be_visible()
    member.get_by_text("The facilitator's summary").click()
    expect(member.get_by_text("We agreed to ask colleagues one question.")).to_be_visible()
    member.goto(f"{base}/book-clubs/{cohort.pk}/final-report/")
    expect(member.get_by_role("heading", name="We could not find that page")).to_be_visible()
    context.close()
