"""Blind review through files, as the people would meet it: a learner's Word file with
macros is refused with a sentence and their answer stays; their PDF, which names them and
runs scripts, is taken, with a note that reviewers get it without its scripts; the
reviewer sees its pages and downloads a copy that names no one."""

from playwright.sync_api import expect

from credentials.models import ReviewerPool
from credentials.services.review import pool_member_add
from tests.browser.helpers import assert_accessible, keep_screens, log_in
from tests.evidence_files import macro_docx, signed_pdf, unpacked
from tests.factories import (
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
    onboarded,
)

ANSWER = "Describe your class."
NAME = "Zelda Quist"


def test_hostile_and_signed_files_from_upload_to_review(live_server, site, browser, tmp_path):
    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    badge.requirements[1].value["file_types"] = ["pdf", "document"]
    badge.save_revision().publish()
    zelda = onboarded(UserFactory(email="zelda@school.example", display_name=NAME))
    sam = UserFactory(email="sam@reviewers.example")
    pool_member_add(pool=ReviewerPool.objects.create(name="All"), user=sam)
    macros = tmp_path / "tools.docx"
    macros.write_bytes(macro_docx())
    plan = tmp_path / "Zelda Quist plan.pdf"
    plan.write_bytes(signed_pdf(NAME, scripts=True))

    learner = browser.new_context().new_page()
    log_in(learner, live_server.url, zelda.email)
    learner.goto(live_server.url + badge.url)
    learner.get_by_role("button", name="Start a submission").click()
    learner.get_by_label(ANSWER).fill("Grade 7 science, 28 students.")
    learner.get_by_label("Add a file").set_input_files(str(macros))
    learner.get_by_role("button", name="Save draft").click()
    expect(learner.get_by_role("alert")).to_contain_text(
        "“tools.docx” contains macros or controls that could run on a reviewer's computer."
    )
    expect(learner.get_by_label(ANSWER)).to_have_value("Grade 7 science, 28 students.")
    assert_accessible(learner, "a refused file")

    learner.get_by_label("Add a file").set_input_files(str(plan))
    learner.get_by_role("button", name="Save draft").click()
    files = learner.get_by_role("group", name="Data analysis")
    expect(files).to_contain_text(plan.name)
    expect(files).to_contain_text("Reviewers get it without its automatic actions and scripts.")
    assert_accessible(learner, "a file with its note")
    keep_screens(learner, "evidence with a reviewers' copy note")
    learner.get_by_label("My artifacts show no student's personal information").check()
    learner.get_by_role("button", name="Submit for review").click()
    expect(learner.get_by_role("status")).to_contain_text("Submitted.")

    reviewer = browser.new_context(accept_downloads=True).new_page()
    log_in(reviewer, live_server.url, sam.email)
    reviewer.goto(live_server.url + "/review/")
    reviewer.get_by_role("table").get_by_role("link").first.click()
    main = reviewer.locator("main")
    expect(main).not_to_contain_text("Zelda")
    expect(reviewer.get_by_role("img", name="Page 1 of artifact 1, a PDF")).to_be_visible()
    with reviewer.expect_download() as download:
        reviewer.get_by_role("link", name="Download the whole PDF").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    copy = saved.read_bytes()
    assert copy.startswith(b"%PDF-")
    for secret in (b"Zelda", b"Quist", b"/JavaScript", b"/OpenAction"):
        assert secret not in unpacked(copy), secret
    assert "Zelda" not in download.value.suggested_filename
