"""Badge art where people meet badges: a learner is awarded a badge, and the home page, the
catalogue, the micro-credential, My badges, the dashboard and the public badge, assertion
and issuer pages all show badge images that really load, pass axe, and are kept as
screenshots at 1280 and 390 px."""

from playwright.sync_api import expect

from credentials.services.badge_art import badge_art_backfill
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from tests.browser.helpers import log_in, visit
from tests.factories import FrameworkIndexPageFactory, UserFactory, learning_catalogue, onboarded

ALL_LOADED = """() => {
  const images = Array.from(document.querySelectorAll('img.badge-art'));
  return images.length > 0 && images.every(image => image.complete && image.naturalWidth > 0);
}"""


def badge_images_load(page, at_least: int = 1) -> None:
    images = page.locator("img.badge-art")
    expect(images.first).to_be_visible()
    assert images.count() >= at_least, page.url
    for image in images.all():
        image.scroll_into_view_if_needed()  # lazy images load once they are near the view
    page.wait_for_function(ALL_LOADED)


def test_badge_art_is_shown_and_loads_everywhere(live_server, site, page, settings):
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    FrameworkIndexPageFactory(parent=site)
    catalogue = learning_catalogue(site)
    badge_art_backfill()  # the factory's pages went live without a publish
    learner = onboarded(UserFactory(email="maya@school.example", display_name="Maya Torres"))
    badge_class = badge_class_for_micro_credential(page=catalogue.data, recipient=learner)
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    base = live_server.url

    visit(page, base + "/", "art home", screens=True)
    expect(page.get_by_role("heading", name="Badges you can earn")).to_be_visible()
    expect(page.get_by_role("link", name="Create your free account").first).to_be_visible()
    badge_images_load(page, at_least=3)

    visit(page, base + catalogue.micro_credentials.url, "art catalogue", screens=True)
    badge_images_load(page, at_least=3)

    visit(page, base + catalogue.data.url, "art micro-credential", screens=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Using Classroom Data")
    badge_images_load(page)

    visit(page, f"{base}/public/badges/{badge_class.uuid}", "art public badge", screens=True)
    badge_images_load(page)

    visit(page, f"{base}/public/assertions/{assertion.uuid}", "art assertion", screens=True)
    expect(page.get_by_role("status")).to_contain_text("Valid")
    badge_images_load(page)

    issuer_url = f"{base}/public/issuers/{badge_class.issuer.uuid}"
    visit(page, issuer_url, "art issuer", screens=True)
    offered = page.get_by_role("region", name=f"Badges {badge_class.issuer.name} awards")
    expect(offered.get_by_role("link", name="Using Classroom Data")).to_be_visible()
    badge_images_load(page, at_least=3)

    log_in(page, base, "maya@school.example")
    visit(page, base + "/my/badges/", "art my badges", screens=True)
    expect(page.get_by_role("link", name="Using Classroom Data", exact=True)).to_be_visible()
    badge_images_load(page)

    visit(page, base + "/dashboard/", "art dashboard", screens=True)
    badges = page.get_by_role("region", name="Badges earned")
    expect(badges.get_by_role("link", name="Using Classroom Data")).to_be_visible()
    badge_images_load(page)
