"""Nothing a learner types is lost to a second tab or a session that ends, and reviewers see
a learner's PDF as page images: the journeys as people would meet them, checked with axe,
with screenshots kept of the evidence form, the warnings and the reviewer's preview."""

import re

from playwright.sync_api import expect

from credentials.models import Submission
from credentials.requirements import requirements_of
from tests.browser.helpers import assert_accessible, keep_screens, log_in, sign_in_here, visit
from tests.factories import (
    DEFAULT_PASSWORD,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
    onboarded,
)

ANSWER = "Describe your class."


def start_draft(page, base, badge) -> str:
    page.goto(base + badge.url)
    page.get_by_role("button", name="Start a submission").click()
    expect(page.get_by_label(ANSWER)).to_be_visible()
    return page.url


def saved_answer(badge) -> str:
    submission = Submission.objects.get(micro_credential=badge)
    answer_id = next(r.id for r in requirements_of(badge) if r.takes_text)
    return submission.answers.get(answer_id, "")


def device_copies(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('leap-draft:'))")


def test_two_tabs_warn_before_the_later_save_wins(live_server, site, browser, settings):
    settings.LEAP_ARTIFACT_MAX_MB = 1
    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    ana = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    context = browser.new_context()
    first = context.new_page()
    log_in(first, live_server.url, ana.email)
    draft_url = start_draft(first, live_server.url, badge)
    visit(first, draft_url)
    # The file input is a labelled drop zone that says what it takes, in words; a wrong
    # kind or a file over the limit is refused at once; a dropped file is listed with its size.
    zone = first.locator("[data-dropzone]")
    expect(zone).to_contain_text("Drag files here, or choose below.")
    expect(zone).to_contain_text("Accepted: PDF. Each file up to 1 MB; 2 files at most.")
    first.get_by_label("Add a file").set_input_files(
        [{"name": "class photo.heic", "mimeType": "image/heic", "buffer": b"x" * 10}]
    )
    expect(zone.get_by_role("alert")).to_contain_text(
        "“class photo.heic” can't be added here: this part takes PDF."
    )
    first.get_by_label("Add a file").set_input_files(
        [{"name": "big.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" * 400_000}]
    )
    expect(zone.get_by_role("alert")).to_contain_text(
        "“big.pdf” is 1.5 MB; each file can be at most 1.0 MB."
    )
    assert first.get_by_label("Add a file").evaluate("input => input.files.length") == 0
    dropped = first.evaluate_handle(
        """() => { const dt = new DataTransfer();
        dt.items.add(new File(["%PDF-1.7 plan"], "lesson plan.pdf", {type: "application/pdf"}));
        return dt; }"""
    )
    zone.dispatch_event("drop", {"dataTransfer": dropped})
    expect(zone.get_by_role("list")).to_contain_text("Ready to upload: lesson plan.pdf (13 bytes)")
    expect(zone.get_by_role("alert")).to_be_hidden()
    assert (
        first.get_by_label("Add a file").evaluate("input => input.files[0].name")
        == "lesson plan.pdf"
    )
    assert_accessible(first, "evidence form with a file chosen")
    keep_screens(first, "evidence form")
    second = context.new_page()
    visit(second, draft_url)

    first.get_by_label(ANSWER).fill("Grade 7 science, typed in the first tab.")
    expect(first.get_by_text(re.compile("Draft saved at"))).to_be_visible()

    # The second tab was opened before that save: its autosave is refused with a warning,
    # its text stays, and it stops saving until the learner chooses.
    second.get_by_label(ANSWER).fill("Grade 7 science, typed in the second tab.")
    warning = second.get_by_role("alert")
    expect(warning).to_contain_text(
        re.compile(r"This draft was changed in another tab or window at \d\d:\d\d")
    )
    expect(warning).to_contain_text("Your text here is kept")
    expect(second.get_by_label(ANSWER)).to_have_value("Grade 7 science, typed in the second tab.")
    assert saved_answer(badge) == "Grade 7 science, typed in the first tab."
    assert_accessible(second, "two-tab warning")
    keep_screens(second, "evidence two-tab warning")

    # Typing on does not save behind the learner's back.
    second.get_by_label(ANSWER).press_sequentially(" More.")
    second.wait_for_timeout(2500)
    assert saved_answer(badge) == "Grade 7 science, typed in the first tab."

    # Choosing to keep this version saves it; now the first tab is the one warned.
    second.get_by_role("button", name="Save my version").click()
    expect(second.get_by_text(re.compile("Draft saved at"))).to_be_visible()
    assert saved_answer(badge) == "Grade 7 science, typed in the second tab. More."
    first.get_by_label(ANSWER).fill("First tab again.")
    expect(first.get_by_role("alert")).to_contain_text("changed in another tab or window")
    assert saved_answer(badge) == "Grade 7 science, typed in the second tab. More."

    # Reloading shows the other version, and the device copy of the refused text is gone.
    first.get_by_role("button", name="Reload to see the other version").click()
    expect(first.get_by_label(ANSWER)).to_have_value(
        "Grade 7 science, typed in the second tab. More."
    )
    assert device_copies(first) == []


def test_a_sign_out_in_the_middle_keeps_the_draft(live_server, site, browser):
    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    ana = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, ana.email)
    draft_url = start_draft(page, live_server.url, badge)

    page.get_by_label(ANSWER).fill("Grade 7 science.")
    expect(page.get_by_text(re.compile("Draft saved at"))).to_be_visible()
    assert device_copies(page) == []  # the server has it: nothing kept on the device

    # The session ends (the cookies are gone) while the learner keeps typing.
    context.clear_cookies()
    page.get_by_label(ANSWER).press_sequentially(" We used exit tickets every day.")
    signed_out = page.get_by_role("alert")
    expect(signed_out).to_contain_text(
        "You've been signed out. Your text is kept on this device — sign in to save it."
    )
    expect(page.get_by_text("Draft saved at")).to_have_count(0)
    assert_accessible(page, "signed-out notice")
    keep_screens(page, "evidence signed out")
    assert saved_answer(badge) == "Grade 7 science."

    # Signing in from the notice comes back to the form with every word, and saves it.
    page.get_by_role("link", name="Sign in to save it").click()
    page.get_by_label("Email").fill(ana.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(draft_url)
    full = "Grade 7 science. We used exit tickets every day."
    expect(page.get_by_label(ANSWER)).to_have_value(full)
    expect(page.get_by_role("alert")).to_contain_text("We brought back the text you typed")
    expect(page.get_by_text(re.compile("Draft saved at"))).to_be_visible()
    assert saved_answer(badge) == full
    assert device_copies(page) == []
    assert_accessible(page, "draft restored")

    # The session ends (only its cookie goes) and the learner presses "Save draft": the
    # post lands on the log-in page, which leads back to the form with the text.
    context.clear_cookies(name="sessionid")
    page.get_by_label(ANSWER).press_sequentially(" Then a plenary.")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Email").fill(ana.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(draft_url)
    full += " Then a plenary."
    expect(page.get_by_label(ANSWER)).to_have_value(full)
    expect(page.get_by_text(re.compile("Draft saved at"))).to_be_visible()
    assert saved_answer(badge) == full

    # Logging out leaves no copy of anyone's writing on the device.
    context.set_offline(True)
    page.get_by_label(ANSWER).press_sequentially(" Offline words.")
    expect(page.get_by_text(re.compile("check your connection"))).to_be_visible()
    assert len(device_copies(page)) == 1
    context.set_offline(False)
    page.get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()
    assert device_copies(page) == []


def test_the_reviewer_reads_a_pdf_as_page_images(
    live_server, site, browser, django_capture_on_commit_callbacks
):
    from credentials.models import ReviewerPool
    from credentials.services.evidence import (
        artifact_add_file,
        submission_save_answers,
        submission_start,
        submission_submit,
    )
    from credentials.services.review import pool_member_add
    from tests.credentials.test_pdf_preview import pdf_of

    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    ana = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    sam = UserFactory(email="sam@reviewers.example", display_name="Sam Okafor")
    pool_member_add(pool=ReviewerPool.objects.create(name="All"), user=sam)
    ids = {r.kind: r.id for r in requirements_of(badge)}
    submission = submission_start(learner=ana, page=badge)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "Hi."})
    artifact_add_file(
        submission=submission, slot_id=ids["artifact"], name="Ana plan.pdf", data=pdf_of(7)
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=submission, privacy_confirmed=True)
    review = submission.reviews.get()

    page = browser.new_context().new_page()
    log_in(page, live_server.url, sam.email)
    page.goto(f"{live_server.url}/review/{review.pk}/")
    pages = page.get_by_role("group", name="Artifact 1: the first pages")
    expect(pages.get_by_role("img")).to_have_count(5)
    expect(pages).to_contain_text("Page 1 of 7")
    expect(pages).to_contain_text("The first 5 of 7 pages are shown here")
    first = pages.get_by_role("img", name="Page 1 of artifact 1, a PDF the learner uploaded")
    first.scroll_into_view_if_needed()
    expect(first).to_have_js_property("complete", True)
    assert first.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_role("link", name=re.compile("Download the whole PDF"))).to_be_visible()
    for secret in ("Ana Díaz", "Ana plan", "ana@school.example"):
        expect(page.locator("main")).not_to_contain_text(secret)
    assert_accessible(page, "reviewer PDF preview")
    keep_screens(page, "review pdf preview")


def test_a_reviewer_signed_out_mid_review_keeps_their_feedback(
    live_server, site, browser, django_capture_on_commit_callbacks
):
    from credentials.models import ReviewerPool
    from credentials.services.evidence import (
        artifact_add_file,
        submission_save_answers,
        submission_start,
        submission_submit,
    )
    from credentials.services.review import pool_member_add
    from tests.credentials.test_pdf_preview import pdf_of

    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    ana = onboarded(UserFactory(email="ana@school.example"))
    sam = UserFactory(email="sam@reviewers.example", display_name="Sam Okafor")
    pool_member_add(pool=ReviewerPool.objects.create(name="All"), user=sam)
    ids = {r.kind: r.id for r in requirements_of(badge)}
    submission = submission_start(learner=ana, page=badge)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "Hi."})
    artifact_add_file(submission=submission, slot_id=ids["artifact"], name="a.pdf", data=pdf_of(1))
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=submission, privacy_confirmed=True)
    review = submission.reviews.get()

    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, sam.email)
    review_url = f"{live_server.url}/review/{review.pk}/"
    page.goto(review_url)
    group = page.get_by_role("group", name="Analysis")
    group.get_by_label("Not yet", exact=True).check()
    feedback = "Name one pattern in the exit-ticket data and what you changed because of it."
    group.get_by_label("Feedback on Analysis").fill(feedback)

    # The session ends (its cookie goes) before the reviewer records it: the post is refused
    # and lands on the log-in page, on the way back to the review.
    context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Record my review").click()
    assert not review.scores.exists()

    # Signed in again from the log-in page the post landed on, the form brings back the
    # choice and every word, and says so.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    assert len(device_copies(page)) == 1
    sign_in_here(page, sam.email)
    expect(page).to_have_url(review_url)
    group = page.get_by_role("group", name="Analysis")
    expect(group.get_by_label("Feedback on Analysis")).to_have_value(feedback)
    expect(group.get_by_label("Not yet", exact=True)).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="We brought back")).to_be_visible()
    assert_accessible(page, "review restored")

    page.get_by_role("button", name="Record my review").click()
    expect(page.get_by_role("status").filter(has_text="is recorded")).to_be_visible()
    assert review.scores.get().feedback == feedback
    assert device_copies(page) == []  # recorded: nothing left on the device


def copies_holding(page, text: str) -> list[str]:
    """The device copies (any key) whose stored value contains `text`."""
    return page.evaluate(
        "(text) => Object.keys(localStorage).filter((k) => localStorage.getItem(k).includes(text))",
        text,
    )


def keep_copy(page, key: str, hours_ago: float, text: str) -> None:
    page.evaluate(
        """([key, ago, text]) => localStorage.setItem(key, JSON.stringify(
            {answers: {a: text}, revision: 0, at: Date.now() - ago * 3600 * 1000}))""",
        [key, hours_ago, text],
    )


def test_a_shared_computer_keeps_no_one_elses_writing(live_server, site, browser):
    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    ana = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    ben = onboarded(UserFactory(email="ben@school.example", display_name="Ben Ito"))
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, ana.email)
    draft_url = start_draft(page, live_server.url, badge)

    # Typed while the connection is down: kept on the device only.
    context.set_offline(True)
    page.get_by_label(ANSWER).fill("My pupil Jo struggles with fractions.")
    expect(page.get_by_text(re.compile("check your connection"))).to_be_visible()
    assert len(copies_holding(page, "Jo struggles")) == 1
    context.set_offline(False)

    # Logging out through Leap's own log-out page (not the header button) clears it.
    visit(page, live_server.url + "/accounts/logout/", "log out page", screens=True)
    expect(page.get_by_role("main")).to_contain_text("so the next person cannot read it")
    page.get_by_role("main").get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()
    assert device_copies(page) == [] and copies_holding(page, "Jo struggles") == []

    # Ana again: signed out while typing, she is offered the log-in page on the way back.
    log_in(page, live_server.url, ana.email)
    page.goto(draft_url)
    page.get_by_label(ANSWER).fill("Grade 7 science.")
    expect(page.get_by_text(re.compile("Draft saved at"))).to_be_visible()
    context.clear_cookies()
    page.get_by_label(ANSWER).press_sequentially(" Jo needs a seat at the front.")
    expect(page.get_by_role("alert")).to_contain_text("You've been signed out.")
    # Beside her fresh copy, one of hers from yesterday and one of Ben's from an hour ago.
    keep_copy(page, f"leap-draft:{ana.pk}:submission:999", 30, "Ana's old words")
    keep_copy(page, f"leap-draft:{ben.pk}:submission:998", 1, "Ben's words")
    page.get_by_role("link", name="Sign in to save it").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    assert_accessible(page, "log-in on the way back to the draft")
    # On the log-in page only Ana's copy from today stays, to come back after she signs in.
    assert device_copies(page) == [f"leap-draft:{ana.pk}:submission:{badge_submission(badge)}"]

    # Ben signs in on this computer instead: no trace of Ana's text is left for him.
    page.get_by_label("Email").fill(ben.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert copies_holding(page, "Jo needs a seat") == []
    assert device_copies(page) == []

    # Ben's own copies stay while signed in, unless they are more than three days old.
    keep_copy(page, f"leap-draft:{ben.pk}:submission:5", 2, "Ben today")
    keep_copy(page, f"leap-draft:{ben.pk}:submission:6", 4 * 24, "Ben last week")
    visit(page, live_server.url + "/dashboard/", "dashboard after the tidy")
    assert device_copies(page) == [f"leap-draft:{ben.pk}:submission:5"]

    # A signed-out page that is not the way back to a form keeps no copies at all.
    context.clear_cookies()
    page.goto(live_server.url + "/")
    assert device_copies(page) == []


def badge_submission(badge) -> int:
    return Submission.objects.get(micro_credential=badge).pk
