"""A teacher chooses one e-mail a day on her notification settings and finds the choice
kept; the daily digest that is then sent carries an unsubscribe link, which she opens
signed out, confirms, and is told it is done; signed in again, her choice reads "don't
e-mail me". A link whose token was changed is refused and changes nothing. axe checks
every page; the settings, unsubscribe and refusal screens are kept."""

import datetime as dt
import re

from django.core import signing
from playwright.sync_api import expect

from accounts.models import NotificationSettings
from accounts.services import UNSUBSCRIBE_SALT, digests_send
from learning.cohorts.reminders import TWO_DAYS, reminder_due_at, session_remind
from tests.browser.helpers import assert_accessible, keep_screens, log_in, visit
from tests.factories import UserFactory, onboarded
from tests.learning.cohorts.factories import cohort_make, member_make, session_make

UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/notifications/unsubscribe/\S+/")
DAILY = "Send one e-mail a day with everything new"
NONE = "Don't e-mail me reminders and updates"


def email_mode(user) -> str:
    return NotificationSettings.objects.get(user=user).email_mode


def another_persons_token(token: str, other) -> str:
    """The token with its payload swapped for one naming someone else, signature kept: what
    someone trying to unsubscribe another person would send."""
    other_payload = signing.dumps({"u": other.pk}, salt=UNSUBSCRIBE_SALT, compress=False)
    return ":".join([other_payload.split(":")[0], *token.split(":")[1:]])


def test_a_teacher_chooses_a_daily_digest_then_unsubscribes_from_its_link(
    live_server, site, page, settings, mailoutbox
):
    base = settings.SITE_URL = live_server.url
    cohort = cohort_make(title="Reading “Digital Leaders” together")
    maya = onboarded(UserFactory(email="maya@school.example", display_name="Maya Torres"))
    member_make(cohort, maya)
    other = UserFactory(display_name="Sam Lee")
    NotificationSettings.objects.create(user=other, email_mode="immediate")

    # She chooses one e-mail a day, and after a reload the choice is still hers.
    log_in(page, base, maya.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="E-mail settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    assert_accessible(page, "notification settings")
    page.get_by_label(DAILY).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We will send you one e-mail a day with your reminders and updates."
    )
    page.reload()
    expect(page.get_by_label(DAILY)).to_be_checked()
    expect(page.get_by_label(NONE)).not_to_be_checked()
    assert_accessible(page, "notification settings, digest chosen")
    keep_screens(page, "notification-settings-digest")
    assert email_mode(maya) == "digest"

    # A meeting reminder waits for the digest, which the daily job then sends.
    meeting = session_make(cohort, title="Chapter 2: Trust", starts_in=dt.timedelta(days=2))
    assert session_remind(session=meeting, now=reminder_due_at(kind=TWO_DAYS, session=meeting))
    assert mailoutbox == []
    assert digests_send() == 1
    [digest] = mailoutbox
    assert digest.to == [maya.email] and digest.subject == "Your Leap day: 1 update"
    assert "meets in two days: Chapter 2: Trust" in digest.body
    link = UNSUBSCRIBE_LINK.search(digest.body).group(0)
    assert digest.extra_headers["List-Unsubscribe"] == f"<{link}>"

    # Signed out, someone opens a copy of the link made out for another person: refused.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = link.replace(token, another_persons_token(token, other))
    response = page.goto(forged)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(page.get_by_text("This unsubscribe link is not valid.")).to_be_visible()
    expect(page.get_by_role("button", name="Yes, stop reminder e-mails")).to_have_count(0)
    assert_accessible(page, "unsubscribe refused")
    keep_screens(page, "unsubscribe-refused")
    assert page.request.post(forged).status == 404  # a mail program's one-click too
    assert (email_mode(maya), email_mode(other)) == ("digest", "immediate")

    # Her own link, signed out: it asks first, and stops the e-mails once she confirms.
    visit(page, link, "unsubscribe asks", screens=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stop reminder e-mails for m•••@school.example?"
    )
    assert email_mode(maya) == "digest"  # opening the link changes nothing
    page.get_by_role("button", name="Yes, stop reminder e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    expect(page.get_by_role("status")).to_have_text(
        "We will no longer e-mail reminders and updates to m•••@school.example."
    )
    assert_accessible(page, "unsubscribed")
    keep_screens(page, "unsubscribe-done")

    # Signed in again, her settings say so.
    log_in(page, base, maya.email)
    page.goto(base + "/notifications/settings/")
    expect(page.get_by_label(NONE)).to_be_checked()
    expect(page.get_by_label(DAILY)).not_to_be_checked()
    assert (email_mode(maya), email_mode(other)) == ("none", "immediate")
