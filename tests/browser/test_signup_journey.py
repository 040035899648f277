"""A new visitor signs up, verifies their address from the e-mail (which signs them in),
and can log in again later."""

import re

from playwright.sync_api import expect

CONFIRM_LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+")


def test_a_new_visitor_signs_up_verifies_and_logs_in(live_server, site, page, mailoutbox):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(site.title)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()

    page.get_by_label("Your name").fill("Ana Díaz")
    page.get_by_label("Email").fill("ana.diaz@school.example")
    page.get_by_label("Password:", exact=True).fill("a-long-pass-phrase")
    page.get_by_label("Password (again)").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify"))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ana.diaz@school.example"]
    link = CONFIRM_LINK.search(mailoutbox[0].body).group(0)

    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").first).to_contain_text("confirmed")
    # Confirming in the browser that signed up signs in: the new person is asked to set up.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Leap")
    page.get_by_role("button", name="Log out").click()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("ana.diaz@school.example")
    page.get_by_label("Password").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Sign In").click()

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Ana Díaz")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign up")).to_have_count(0)
