"""A new reviewer meets the second-factor rule as a person would: signed in with a password,
the queue sends them to a page that says why; they set up an authenticator app from the QR
code's key, keep their recovery codes and go on to the queue; next time Leap asks for the
app's code after the password. axe on every page; screens kept."""

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from credentials.services.review import pool_member_add
from tests.browser.helpers import assert_accessible, keep_screens
from tests.factories import DEFAULT_PASSWORD, UserFactory


def app_code(secret: str, shift: int = 0) -> str:
    """What an authenticator app shows for the key (RFC 6238)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + shift))


def test_a_reviewer_sets_up_two_factor_sign_in_and_uses_it(live_server, site, browser):
    from credentials.models import ReviewerPool

    sam = UserFactory(email="sam@reviewers.example", display_name="Sam Okafor")
    pool_member_add(pool=ReviewerPool.objects.create(name="All micro-credentials"), user=sam)
    base = live_server.url
    page = browser.new_context().new_page()

    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(sam.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # Reviewers land on their queue, which first asks for the second step.
    expect(page).to_have_url(re.compile(r"/accounts/second-step/\?next=%2Freview%2F"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "One more step before your reviewer screens"
    )
    assert_accessible(page, "second step")
    keep_screens(page, "second step")
    # Their own learning is still a click away.
    expect(page.get_by_role("link", name="Not now: go to my dashboard")).to_be_visible()

    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page, "authenticator set-up")
    keep_screens(page, "authenticator set-up")
    secret = page.locator("#authenticator_secret").inner_text().strip()

    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("main")).to_contain_text("That code does not match")

    page.get_by_label("Authenticator code").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    codes = page.get_by_role("list", name="Your unused codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    assert_accessible(page, "recovery codes")
    keep_screens(page, "recovery codes")
    page.get_by_role("link", name="I have kept them: go on").click()
    expect(page).to_have_url(base + "/review/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("review", ignore_case=True)

    # Next time: the password, then the app's code.
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(sam.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    assert_accessible(page, "sign-in code")
    keep_screens(page, "sign-in code")
    page.locator("input[name=code]").fill(app_code(secret, shift=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + "/review/")
