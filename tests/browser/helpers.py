"""What the role journeys share: signing in, the axe check and the screenshots people look at.

Screenshots of the key pages are kept in test-results/screens/ (at 1280 px and 390 px wide)
by every run, passing or failing, so a person can look at the screens the tests walked.
"""

import re
import time
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.models import User
from accounts.second_factor import has_second_factor, staff_role_get
from tests.factories import DEFAULT_PASSWORD

TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SERIOUS = {"serious", "critical"}


def log_in(page, base: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the form, as a person would, and wait until the menu says so."""
    page.goto(base + "/accounts/login/")
    sign_in_here(page, email, password)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_in_to_cms(page, base: str, email: str, *, to: str = "/admin/") -> None:
    """Sign in through the form on the way to a CMS page (`to`), and wait until it is there."""
    page.goto(f"{base}/accounts/login/?next={to}")
    sign_in_here(page, email)
    page.wait_for_url(f"{base}{to}")


def sign_in_here(page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Fill in the log-in form the page shows; staff then type the code from their
    authenticator app (second_factor_ready), as Leap asks of them."""
    secret = second_factor_ready(email)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if secret:
        enter_code(page, email, secret)


def second_factor_ready(email: str) -> str | None:
    """Staff need an authenticator (accounts.second_factor): give a staff account one, as
    its owner would have set up, and return its key; None for everyone else."""
    user = User.objects.get(email__iexact=email)
    if not has_second_factor(user):
        if staff_role_get(user) is None:
            return None
        TOTP.activate(user, TEST_TOTP_SECRET)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


_codes_used: set[tuple[int, int]] = set()


def enter_code(page, email: str, secret: str) -> None:
    """Type the app's code on the second step. A code signs an account in once (allauth
    accepts the codes of the neighbouring 30-second steps too), so another log-in within
    the same 30 s uses a neighbouring code, as a person waits for the app's next one."""
    user_id = User.objects.get(email__iexact=email).pk
    now = int(time.time()) // 30
    counter = next(c for c in (now, now + 1, now - 1) if (user_id, c) not in _codes_used)
    _codes_used.add((user_id, counter))
    page.locator("input[name=code]").fill(format_hotp_value(hotp_value(secret, counter)))
    page.get_by_role("button", name="Sign In").click()


def serious_violations(page) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line each.

    axe runs once the page has loaded. A navigation that commits while axe reads the
    document (a click's page arriving) takes the document from under it; axe then runs
    again on the page that arrived. A caller checking the page a click opens waits for it
    first (its heading or address): before the navigation starts, the old page is loaded."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page)
            break
        except PlaywrightError as error:
            if attempt == 2 or not _navigated_under(error):
                raise
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def _navigated_under(error: PlaywrightError) -> bool:
    message = str(error)
    return any(
        sign in message
        # The document gone mid-run, the page gone before axe ran, or a new page where
        # axe was injected into the old one (its two evaluations straddle the navigation).
        for sign in ("documentElement", "Execution context was destroyed", "axe is not defined")
    )


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
