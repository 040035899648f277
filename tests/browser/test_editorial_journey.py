"""An editor writes a pathway in Wagtail, aligns it with the chooser and adds a step,
submits it for moderation; a content reviewer approves it from the dashboard; it is live,
found by search and shown in the framework explorer."""

import re

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from cms.models import PathwayPage
from cms.services import CONTENT_REVIEWERS_GROUP, EDITORS_GROUP, editorial_workflow_ensure
from tests.browser.helpers import log_in_to_cms
from tests.factories import (
    FrameworkIndexPageFactory,
    PathwayIndexPageFactory,
    UserFactory,
)

TITLE = "Cybersecurity basics for school leaders"


def test_write_submit_approve_publish(live_server, site, page, browser):
    pathways = PathwayIndexPageFactory(parent=site)
    FrameworkIndexPageFactory(parent=site)
    editorial_workflow_ensure(sections=[pathways])
    editor = UserFactory(email="editor@district.example", display_name="Priya Raman")
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    approver = UserFactory(email="approver@district.example", display_name="Jonas Weber")
    approver.groups.add(Group.objects.get(name=CONTENT_REVIEWERS_GROUP))
    base = live_server.url

    log_in_to_cms(page, base, "editor@district.example")
    page.goto(f"{base}/admin/pages/add/cms/pathwaypage/{pathways.pk}/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("Understand the threats that reach schools and lead a plan.")
    page.locator("#id_estimated_hours").fill("3")

    page.get_by_role("button", name="Add element").first.click()
    page.get_by_role("button", name="Choose framework element").first.click()
    page.get_by_role("textbox", name="Search term").fill("Cybersecurity")
    page.get_by_role("link", name=re.compile("Cybersecurity Policy")).first.click()

    steps = page.locator("[data-contentpath='steps']")
    steps.get_by_role("button", name=re.compile("Insert a block")).first.click()
    page.get_by_role("option", name=re.compile("Reflect")).first.click()
    steps.locator("input[name$='-value-title']").first.fill("Who would you call first?")
    steps.locator("textarea[name$='-value-prompt']").first.fill(
        "Who would you call in the first hour of a ransomware incident?"
    )

    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=re.compile("Submit to Editor")).click()
    expect(page.get_by_text(re.compile("submitted for moderation"))).to_be_visible()
    assert page.request.get(f"{base}/pathways/").ok
    assert TITLE not in page.request.get(f"{base}/pathways/").text()

    reviewer = browser.new_page()
    log_in_to_cms(reviewer, base, "approver@district.example")
    row = reviewer.locator("tr", has_text=TITLE)
    expect(row).to_be_visible()
    row.get_by_role("button", name="Actions").click()
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    # The approval posts a form and redirects; wait for it to take effect before looking
    # again (reloading mid-navigation races the redirect).
    for _ in range(150):
        if PathwayPage.objects.filter(title=TITLE, live=True).exists():
            break
        reviewer.wait_for_timeout(100)
    reviewer.goto(f"{base}/admin/")
    expect(reviewer.locator("tr", has_text=TITLE)).to_have_count(0)  # nothing left to review

    reviewer.goto(f"{base}/search/?q=ransomware")
    reviewer.get_by_role("link", name=TITLE).click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(reviewer.get_by_text("Who would you call first?")).to_be_visible()
    reviewer.goto(f"{base}/frameworks/DL/DL-3C/")
    expect(reviewer.get_by_role("link", name=TITLE)).to_be_visible()
