"""Browser tests drive the system Chromium (Debian's `chromium`) through Playwright.

pytest-playwright saves a screenshot of every failing test under test-results/.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cms.demo import site_tree_ensure

# Playwright's sync API runs an event loop in this thread; Django's ORM is used beside it
# only by the test itself, never concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The CMS's editor is heavy on two busy cores: give assertions room before they fail.
expect.set_options(timeout=15_000)

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def browser_available() -> bool:
    bundled = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache/ms-playwright"))
    return SYSTEM_CHROMIUM.exists() or any(bundled.glob("chromium*"))


# The live server needs committed data. Serialized rollback puts back what migrations
# created (Wagtail's tree, the seeded frameworks) after each test flushes the database, so
# later tests and a reused test database still have it.
LIVE_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if "tests/browser/" in item.nodeid]
    for item in browser_tests:
        item.add_marker(pytest.mark.browser)
        item.add_marker(LIVE_DB)
    if not browser_tests or browser_available():
        return
    if os.environ.get("LEAP_REQUIRE_BROWSER"):
        raise pytest.UsageError(
            "LEAP_REQUIRE_BROWSER is set but no Chromium was found: "
            "install Debian's `chromium` package."
        )
    # A developer's machine without Chromium still gets a complete `make test` otherwise.
    config.hook.pytest_deselected(items=browser_tests)
    items[:] = [item for item in items if item not in browser_tests]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "headless": True, "args": CHROMIUM_ARGS}
    if SYSTEM_CHROMIUM.exists():
        args["executable_path"] = str(SYSTEM_CHROMIUM)
    return args


@pytest.fixture
def site(live_server):
    return site_tree_ensure()


@pytest.fixture
def page(page):
    """Every journey also proves the Content-Security-Policy broke nothing: a script or
    style the policy blocked shows in the console, and fails the test."""
    page.set_default_timeout(15_000)
    blocked = []
    page.on("console", lambda message: _note_csp_violation(message, blocked))
    yield page
    assert blocked == [], "the Content-Security-Policy blocked something:\n" + "\n".join(blocked)


def _note_csp_violation(message, blocked: list[str]) -> None:
    if "Content Security Policy" in message.text:
        blocked.append(f"{message.location.get('url', '')}: {message.text}")
