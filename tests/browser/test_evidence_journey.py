"""Evidence and review as the people would try it: a learner submits evidence with a file;
the reviewer, who cannot see who it is, scores one criterion "not yet" with feedback; the
learner reads it and starts a next attempt, which carries the answer and file forward; the
reviewer scores every criterion "meets"; the badge is on the learner's dashboard and its
public URL verifies with the official validator. And nothing the learner types is lost."""

import re

from playwright.sync_api import expect

from credentials.models import Assertion, ReviewerPool
from credentials.services.review import pool_member_add
from tests.browser.helpers import log_in
from tests.credentials.test_official_validator import validate
from tests.evidence_files import pdf_file
from tests.factories import (
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
    onboarded,
)

PDF = pdf_file()


def test_not_yet_then_earned_with_a_verifiable_badge(
    live_server, site, browser, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    badge.rubric.append(
        (
            "criterion",
            {"title": "Impact", "meets": "Shows change.", "feedback_guidance": "Ask for change."},
        )
    )
    badge.save_revision().publish()
    ana = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    sam = UserFactory(email="sam@reviewers.example", display_name="Sam Okafor")
    pool_member_add(pool=ReviewerPool.objects.create(name="All"), user=sam)
    evidence = tmp_path / "Ana Diaz data analysis.pdf"
    evidence.write_bytes(PDF)

    learner = browser.new_context().new_page()
    reviewer = browser.new_context().new_page()
    log_in(learner, live_server.url, ana.email)
    log_in(reviewer, live_server.url, sam.email)

    def submit(answer: str, *, carried: str = ""):
        learner.goto(live_server.url + badge.url)
        learner.get_by_role(
            "button", name=re.compile("Start (a submission|your next attempt)")
        ).click()
        if carried:
            # A next attempt starts from the last one: its answer and file are already there,
            # and the reviewer's feedback sits beside the form.
            expect(learner.get_by_label("Describe your class.")).to_have_value(carried)
            expect(learner.locator("main")).to_contain_text(evidence.name)
            expect(
                learner.get_by_role("complementary", name="What the reviewer said about attempt 1")
            ).to_contain_text("Show what changed for students.")
        else:
            learner.get_by_label("Add a file").set_input_files(str(evidence))
        learner.get_by_label("Describe your class.").fill(answer)
        learner.get_by_label("My artifacts show no student's personal information").check()
        learner.get_by_role("button", name="Submit for review").click()
        expect(learner.get_by_role("status")).to_contain_text("Submitted.")

    def review(results: dict[str, tuple[str, str]]):
        reviewer.goto(live_server.url + "/review/")
        reviewer.get_by_role("table").get_by_role("link").first.click()
        body = reviewer.locator("main")
        for secret in ("Ana Díaz", "Díaz", "Diaz", "ana@school.example"):
            expect(body).not_to_contain_text(secret)
        for title, (result, feedback) in results.items():
            group = reviewer.get_by_role("group", name=title)
            group.get_by_label(result, exact=True).check()
            if feedback:
                group.get_by_label(f"Feedback on {title}").fill(feedback)
        reviewer.get_by_role("button", name="Record my review").click()
        expect(reviewer.get_by_role("status")).to_contain_text("is recorded")

    submit("Grade 7 science, 28 students.")
    review({"Analysis": ("Meets", ""), "Impact": ("Not yet", "Show what changed for students.")})

    learner.goto(live_server.url + badge.url)
    learner.get_by_role("link", name="Read the feedback").click()
    feedback = learner.get_by_role("region", name="Feedback, criterion by criterion")
    expect(feedback).to_contain_text("Impact: Not yet")
    expect(feedback).to_contain_text("Show what changed for students.")

    submit(
        "Grade 7 science, 28 students; exit-ticket scores rose from 55% to 78%.",
        carried="Grade 7 science, 28 students.",
    )
    review({"Analysis": ("Meets", ""), "Impact": ("Meets", "")})

    learner.goto(live_server.url + "/dashboard/")
    badges = learner.get_by_role("region", name="Badges earned")
    expect(badges).to_contain_text("Data-Driven Instruction")
    assertion = Assertion.objects.get(recipient=ana)
    verdict = validate(f"{live_server.url}/public/assertions/{assertion.uuid}", ana.email)
    assert verdict["valid"] is True, verdict


def test_nothing_typed_is_lost_to_autosave_reload_or_a_refused_submit(live_server, site, browser):
    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    ana = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    page = browser.new_context().new_page()
    log_in(page, live_server.url, ana.email)
    page.goto(live_server.url + badge.url)
    page.get_by_role("button", name="Start a submission").click()
    draft_url = page.url

    # Typing saves on its own: the page says so, and a reload finds the text.
    answer = page.get_by_label("Describe your class.")
    answer.fill("Grade 7 science, 28 students.")
    expect(page.get_by_text(re.compile(r"Draft saved at"))).to_be_visible()
    page.reload()
    expect(page.get_by_label("Describe your class.")).to_have_value("Grade 7 science, 28 students.")

    # A refused submit (no file, no confirmation) keeps what was just typed, on the page
    # and on the server, and says what is missing.
    page.get_by_label("Describe your class.").fill("Grade 7 science; exit tickets every day.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirm that your artifacts")
    expect(page.get_by_label("Describe your class.")).to_have_value(
        "Grade 7 science; exit tickets every day."
    )
    page.goto(draft_url)
    expect(page.get_by_label("Describe your class.")).to_have_value(
        "Grade 7 science; exit tickets every day."
    )
