"""What the role journeys share: signing in, the axe check and the screenshots people look at.

Screenshots of the key pages are kept in test-results/screens/ (at 1280 px and 390 px wide)
by every run, passing or failing, so a person can look at the screens the tests walked.
"""

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD

SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SERIOUS = {"serious", "critical"}


def log_in(page, base: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the form, as a person would, and wait until the menu says so."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_in_to_cms(page, base: str, email: str, *, to: str = "/admin/") -> None:
    """Sign in through the form on the way to a CMS page (`to`), and wait until it is there."""
    page.goto(f"{base}/accounts/login/?next={to}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}{to}")


def serious_violations(page) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line each."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def assert_accessible(page, label: str = "") -> None:
    found = serious_violations(page)
    assert found == [], f"{label or page.url}: {found}"


def keep_screens(page, name: str) -> None:
    """Save the page at laptop and phone width (full height) as test-results/screens/<name>-*.png,
    then put the viewport back as it was."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    before = page.viewport_size
    for label, size in (("1280", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENS / f"{slug}-{label}.png", full_page=True)
    if before:
        page.set_viewport_size(before)


def visit(page, url: str, name: str = "", *, screens: bool = False) -> None:
    """Open a page, check it with axe, and keep its screenshots if asked."""
    page.goto(url)
    assert_accessible(page, url)
    if screens:
        keep_screens(page, name or url)
