"""An outside verifier checks badges on /verify/ (an uploaded baked image, then a tampered
credential), and a learner adds a badge earned elsewhere to My badges. Another site is a
local server: nothing is fetched from outside."""

import json

from playwright.sync_api import expect

from credentials.openbadges import ob3
from credentials.openbadges.baking import assertion_bake
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from tests.browser.helpers import assert_accessible, keep_screens, log_in
from tests.credentials.foreign_site import ForeignSite
from tests.factories import MicroCredentialIndexPageFactory, MicroCredentialPageFactory, UserFactory


def test_an_outsider_verifies_badges_and_a_learner_adds_one_from_elsewhere(
    live_server, site, page, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    maya = UserFactory(email="maya@school.example", display_name="Maya Torres")
    index = MicroCredentialIndexPageFactory(parent=site)
    badge_class = badge_class_for_micro_credential(
        page=MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    )
    assertion = assertion_award(recipient=maya, badge_class=badge_class, notify=False)
    assertion_bake(assertion=assertion)
    image = tmp_path / "data-driven-instruction.png"
    with assertion.baked_image.open("rb") as baked:
        image.write_bytes(baked.read())

    page.goto(live_server.url + "/verify/")
    page.get_by_label("Or upload the badge").set_input_files(str(image))
    page.get_by_label("Check it was issued to (optional)").fill("maya@school.example")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="This badge is genuine and current")).to_be_visible()
    expect(page.get_by_text("It was issued to maya@school.example.")).to_be_visible()
    assert_accessible(page, "verify: a valid badge")
    keep_screens(page, "verify valid")

    credential = ob3.credential_signed(assertion)
    credential["credentialSubject"]["achievement"]["name"] = "Chief Technology Officer"
    page.get_by_label("Or paste it").fill(json.dumps(credential))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="This badge did not verify")).to_be_visible()
    expect(page.get_by_text("the credential was changed after it was signed").first).to_be_visible()
    assert_accessible(page, "verify: a tampered badge")
    keep_screens(page, "verify tampered")

    foreign = ForeignSite()
    try:
        foreign.ob2_badge(identity="maya@school.example")
        log_in(page, live_server.url, "maya@school.example")
        page.goto(live_server.url + "/my/badges/")
        page.get_by_text("Add a badge earned elsewhere").click()
        page.get_by_label("Link to the badge").fill(f"{foreign.origin}/assertion.json")
        page.get_by_role("button", name="Verify and add").click()
        expect(page.get_by_text("“Inquiry-Based Science” is verified and added")).to_be_visible()
        expect(page.get_by_text("✓ Verified")).to_be_visible()
        assert_accessible(page, "my badges with one from elsewhere")
        keep_screens(page, "my badges elsewhere")
    finally:
        foreign.close()
