"""The Content-Security-Policy holds in a real browser: script injected into a Leap page
does not run, and the browser's report of it is what the journeys' check listens for."""

from tests.browser.conftest import _note_csp_violation


def test_injected_inline_script_does_not_run_on_a_leap_page(site, live_server, browser):
    page = browser.new_page()  # without the journeys' check: this page is meant to be refused
    blocked = []
    page.on("console", lambda message: _note_csp_violation(message, blocked))
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.body.dataset.injected = 'ran';";
            document.body.append(script);
            const styled = document.createElement("p");
            styled.setAttribute("style", "color: red");
            document.body.append(styled);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("document.body.dataset.injected") is None
    assert any("script-src" in line for line in blocked), blocked
    # Leap's own script still runs: the log-in page's menu button is shown by leap.js.
    assert page.evaluate("document.documentElement.classList.contains('js')")
    page.close()
