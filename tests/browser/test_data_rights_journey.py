"""Data rights and the audit log in a real browser: a learner downloads her data and deletes
her account from "Your data"; her badge still shows, naming no one; Leap's staff find the
deletion in the audit log and filter it; her district's admin reads the district's log.
axe on every page; screens kept."""

import io
import json
import zipfile

from playwright.sync_api import expect

from accounts.models import AuditEntry
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from tests.browser.helpers import log_in, visit
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
)


def test_a_learner_downloads_her_data_then_deletes_her_account(live_server, site, page):
    base = live_server.url
    district = DistrictFactory(name="Riverside Unified", slug="riverside")
    maya = UserFactory(email="maya@riverside.example", display_name="Maya Torres")
    MembershipFactory(user=maya, district=district)
    admin = MembershipFactory(district=district, role="district_admin").user
    staff = UserFactory(email="ops@leap.example", display_name="Opal Staff", is_staff=True)
    index = MicroCredentialIndexPageFactory(parent=site)
    page_ = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    badge = assertion_award(
        recipient=maya,
        badge_class=badge_class_for_micro_credential(page=page_, recipient=maya),
        notify=False,
    )

    log_in(page, base, maya.email)
    page.get_by_role("link", name="Maya Torres").click()
    page.get_by_role("navigation", name="Account settings").get_by_role(
        "link", name="Your data"
    ).click()
    expect(page.get_by_role("heading", name="Your data", level=1)).to_be_visible()
    visit(page, page.url, "your data", screens=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download your data (zip)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert json.loads(archive.read("account.json"))[0]["email"] == "maya@riverside.example"
    assert json.loads(archive.read("badges.json"))[0]["badge"] == "Data-Driven Instruction"

    page.get_by_role("link", name="Delete your account…").click()
    visit(page, page.url, "delete your account", screens=True)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Enter your password to confirm.").first).to_be_visible()
    page.get_by_label("Your password").fill("correct-horse-battery")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    visit(page, page.url, "account deleted", screens=True)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.goto(f"{base}/public/assertions/{badge.uuid}")
    expect(page.get_by_role("heading", name="Data-Driven Instruction")).to_be_visible()
    expect(page.get_by_text("Private recipient")).to_be_visible()
    assert "Maya" not in page.content()

    log_in(page, base, staff.email)
    visit(page, f"{base}/audit/", "audit log", screens=True)
    page.get_by_label("Action").select_option(label="Account deleted")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and the deletion
    expect(rows.nth(1)).to_contain_text("Deleted by the account holder")
    expect(rows.nth(1)).to_contain_text("m•••@riverside.example")
    visit(page, page.url, "audit log filtered")
    page.get_by_label("From").fill("2000-02-02")
    page.get_by_label("To").fill("2000-02-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Choose a date on or after the “From” date.")).to_be_visible()
    visit(page, page.url, "audit log with a wrong filter")

    page.get_by_role("button", name="Log out").click()
    log_in(page, base, admin.email)
    visit(page, f"{base}/district/riverside/", "district home")
    page.get_by_role("link", name="the district's audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    visit(page, page.url, "district audit log", screens=True)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_DELETED).count() == 1
