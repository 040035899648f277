"""axe-core (bundled, offline) finds no accessibility violations on the public screens, and
the navigation works on a phone with the keyboard."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from credentials.services import assertion_award, badge_class_for_micro_credential
from tests.factories import (
    FrameworkIndexPageFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    PathwayIndexPageFactory,
    PathwayPageFactory,
    UserFactory,
)

PHONE = {"width": 390, "height": 844}
PUBLIC_PATHS = [
    "/",
    "/about/",
    "/accounts/signup/",
    "/accounts/login/",
    "/accounts/password/reset/",
]


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def test_public_screens_have_no_axe_violations(live_server, site, page):
    pathways = PathwayIndexPageFactory(parent=site)
    pathway = PathwayPageFactory(parent=pathways, title="Leading a 1:1 programme")
    FrameworkIndexPageFactory(parent=site)
    extra = [pathways.url, pathway.url, "/frameworks/", "/frameworks/DL/", "/search/?q=leading"]
    for path in PUBLIC_PATHS + extra:
        page.goto(live_server.url + path)
        assert violations(page) == [], path


def test_signed_in_screens_have_no_axe_violations(live_server, site, page):
    maya = UserFactory(email="maya@school.example", display_name="Maya Torres")
    index = MicroCredentialIndexPageFactory(parent=site)
    badge_class = badge_class_for_micro_credential(
        page=MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    )
    assertion = assertion_award(recipient=maya, badge_class=badge_class, notify=False)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("maya@school.example")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Maya Torres")).to_be_visible()
    assert violations(page) == [], "home page with the signed-in message"
    for path in [
        "/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/my/badges/",
        f"/public/assertions/{assertion.uuid}",
        index.url,
    ]:
        page.goto(live_server.url + path)
        assert violations(page) == [], path


def test_on_a_phone_the_menu_opens_and_closes_from_the_keyboard(live_server, site, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    toggle = page.get_by_role("button", name="Menu")
    signup = page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(signup).to_be_hidden()

    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(signup).to_be_visible()

    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(live_server, site, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
