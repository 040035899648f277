"""A reviewer being sent through calibration, as the people would see it: a new member of a
pool with exemplars lands on their queue, finds two examples to score before live work and
no live work, scores them blind, sees their scores against the reference, and then gets live
work; the lead opens the lead tools, sees who is calibrated, pauses a reviewer and resumes
them, removes one and adds them back by e-mail. axe on every page; screens kept."""

from playwright.sync_api import expect

from credentials.models import PoolMember, Review
from credentials.services.review import pool_member_add
from tests.browser.helpers import assert_accessible, keep_screens, log_in
from tests.credentials.test_lead_tools import exemplars_build, submit, world_build
from tests.factories import UserFactory


def test_a_reviewer_is_sent_through_calibration(
    live_server, site, browser, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = live_server.url
    world = world_build()
    pool = world["pool_a"]
    # The lead marked two exemplars: one meets the rubric, one is "not yet".
    exemplars_build(world, django_capture_on_commit_callbacks)
    nia = UserFactory(email="nia@reviewers.example", display_name="Nia Obi")
    pool_member_add(pool=pool, user=nia)
    # A co-lead, whom Lena's tools leave alone (leads are the staff's to change).
    ines = UserFactory(display_name="Ines Duarte")
    pool_member_add(pool=pool, user=ines, is_lead=True)
    # Live work that arrives while Nia is not calibrated goes to someone who is.
    waiting = submit(world["data"], UserFactory(), django_capture_on_commit_callbacks)
    assert not waiting.reviews.filter(reviewer=nia).exists()

    page = browser.new_context().new_page()
    log_in(page, live_server.url, nia.email)
    expect(page).to_have_url(live_server.url + "/review/")  # reviewers land on their queue
    main = page.locator("main")
    tasks = page.get_by_role("region", name="First, calibration")
    expect(tasks).to_contain_text("Score these 2 examples before live work.")
    expect(main).to_contain_text("Live work comes to you once you have scored the examples above.")
    expect(page.get_by_role("table")).to_have_count(0)
    assert_accessible(page, "queue before calibration")
    keep_screens(page, "calibration-queue")

    # Scoring blind: the evidence and the rubric, never the reference.
    tasks.get_by_role("link", name="Start calibration for Data reviewers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Example 1 of 2")
    expect(main).not_to_contain_text("Reference")
    expect(main).not_to_contain_text("Maya")
    assert_accessible(page, "calibration scoring")
    keep_screens(page, "calibration-scoring")
    page.get_by_role("button", name="Save and compare").click()  # nothing chosen
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    assert_accessible(page, "calibration refused")
    page.get_by_role("group", name="Analysis").get_by_label("Meets", exact=True).check()
    page.get_by_role("button", name="Save and compare").click()

    expect(main).to_contain_text("You agreed with the reference on 1 of 1 criterion.")
    expect(page.get_by_role("table")).to_contain_text("Agreed")
    assert_accessible(page, "first comparison")
    page.get_by_role("link", name="Next example (2 of 2)").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Example 2 of 2")
    page.get_by_role("group", name="Analysis").get_by_label("Meets", exact=True).check()
    page.get_by_role("button", name="Save and compare").click()
    expect(main).to_contain_text("You agreed with the reference on 0 of 1 criterion.")
    expect(page.get_by_role("table")).to_contain_text("Differed")
    expect(main).to_contain_text("you are calibrated for Data reviewers")
    expect(main).to_contain_text("you agreed with the lead reviewers on 1 of 2 criteria (50%)")
    page.get_by_text("More detail: Cohen's kappa").click()
    expect(main).to_contain_text("Kappa measures agreement beyond what chance alone would give")
    assert_accessible(page, "calibration result")
    keep_screens(page, "calibration-result")

    # Calibrated now, Nia is given live work: the lead holds one review, she holds none.
    live = submit(world["data"], UserFactory(), django_capture_on_commit_callbacks)
    assert live.reviews.get().reviewer == nia
    page.get_by_role("link", name="Go to your review queue").click()
    expect(page.get_by_role("region", name="First, calibration")).to_have_count(0)
    expect(page.get_by_role("table")).to_contain_text(live.number)
    assert_accessible(page, "queue after calibration")
    keep_screens(page, "calibration-queue-after")

    # The lead sees who is calibrated, and manages the pool from the lead tools.
    lead = browser.new_context().new_page()
    log_in(lead, live_server.url, world["lead_a"].email)
    expect(lead).to_have_url(live_server.url + "/review/lead/")
    assert_accessible(lead, "lead home")
    lead.get_by_role("link", name="Members and calibration of Data reviewers").click()
    members = lead.get_by_role("table")
    nia_row = members.get_by_role("row").filter(has_text="Nia Obi")
    rui_row = members.get_by_role("row").filter(has_text="Rui Costa")
    expect(nia_row).to_contain_text("✓ Calibrated")
    expect(nia_row).to_contain_text("2 of 2 examples scored")
    expect(nia_row).to_contain_text("50% (below 80%)")
    expect(rui_row).to_contain_text("Not calibrated")
    expect(rui_row).to_contain_text("0 of 2 examples scored")
    ines_row = members.get_by_role("row").filter(has_text="Ines Duarte")
    expect(ines_row).to_contain_text("Leads are changed by the platform staff")
    expect(ines_row.get_by_role("button")).to_have_count(0)
    expect(ines_row.get_by_role("link")).to_have_count(0)
    assert_accessible(lead, "lead pool page")
    keep_screens(lead, "lead-pool")

    lead.get_by_role("button", name="Pause Nia Obi").click()
    expect(lead.get_by_role("status")).to_contain_text("Nia Obi is paused")
    expect(nia_row).to_contain_text("Paused")
    assert_accessible(lead, "after pausing")
    # Her open review went to another reviewer.
    assert not Review.objects.filter(reviewer=nia, state=Review.State.ASSIGNED).exists()
    assert live.reviews.get(state=Review.State.ASSIGNED).reviewer in (world["lead_a"], ines)
    lead.get_by_role("button", name="Resume Nia Obi").click()
    expect(lead.get_by_role("status")).to_contain_text("Nia Obi is active in Data reviewers again")
    assert PoolMember.objects.get(pool=pool, user=nia).is_active

    lead.get_by_role("link", name="Remove Rui Costa").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(
        "Remove Rui Costa from Data reviewers?"
    )
    expect(lead.locator("main")).to_contain_text("They have no open reviews of this pool's work.")
    assert_accessible(lead, "remove confirmation")
    keep_screens(lead, "lead-remove-confirmation")
    lead.get_by_role("button", name="Remove Rui Costa").click()
    expect(lead.get_by_role("status")).to_contain_text("Rui Costa is no longer in Data reviewers")
    expect(members).not_to_contain_text("Rui Costa")

    # Rui, in no pool now, is told so plainly on his queue (no "examples above").
    rui = browser.new_context().new_page()
    log_in(rui, live_server.url, world["reviewer"].email)
    rui.goto(live_server.url + "/review/")
    expect(rui.locator("main")).to_contain_text("You are not an active reviewer in any pool")
    expect(rui.locator("main")).not_to_contain_text("examples above")
    assert_accessible(rui, "queue in no pool")
    keep_screens(rui, "queue-no-pool")

    # An unknown address gets a neutral answer: the form says nothing of who has an account.
    lead.get_by_label("Their e-mail address").fill("nobody@nowhere.example")
    lead.get_by_role("button", name="Add to Data reviewers").click()
    expect(lead.get_by_role("alert")).to_contain_text("Nobody was added.")
    expect(lead.locator("main")).to_contain_text(
        "We couldn't add that address. Check it is the address they sign in to Leap with."
    )
    assert_accessible(lead, "add refused")
    lead.get_by_label("Their e-mail address").fill("rui@reviewers.example")
    lead.get_by_role("button", name="Add to Data reviewers").click()
    expect(lead.get_by_role("status")).to_contain_text("Rui Costa joined Data reviewers")
    expect(members.get_by_role("row").filter(has_text="Rui Costa")).to_contain_text(
        "Not calibrated"
    )
    assert_accessible(lead, "after adding")
