"""`make bench`'s screens stage (benchmarks/screens.py), run here on the test database with
the demo data and three requests a screen: every screen answers 200 (a redirect to the
log-in page or a 404 would make its figures lie), and the results it writes have every
figure. Timings are not checked; the benchmark is for that."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks import report, screens

pytestmark = pytest.mark.django_db

MACHINE_FIELDS = {"cpu", "cores", "python", "database", "redis", "git_commit"}


def test_every_screen_answers_and_the_results_have_every_figure(tmp_path):
    call_command("seed_demo", allow_production=True, stdout=StringIO())

    stage = screens.run(requests=3, warmup=0, scale_file=None, log=lambda line: None)

    answered = {row["name"]: row["status"] for row in stage["screens"]}
    assert answered == {screen.name: 200 for screen in screens.SCREENS}
    results = {
        "date": report.now_utc().isoformat(timespec="seconds"),
        "arguments": "--requests 3",
        "machine": report.machine(),
        "screens": {"demo": stage},
    }
    json_path, markdown_path = report.write(results, out=tmp_path)
    written = json.loads(json_path.read_text())
    assert written["date"] and written["machine"].keys() >= MACHINE_FIELDS
    demo = written["screens"]["demo"]
    assert demo["floor"]["status"] == 200 and demo["floor"]["cpu_median_ms"] > 0
    assert demo["counts"]["assertions"] >= 1
    for row in demo["screens"]:
        assert set(screens.ROW_FIELDS) <= row.keys(), row["name"]
        assert row["requests"] == 3 and row["bytes"] > 0, row["name"]
        assert isinstance(row["cpu_ratio_met"], bool) and isinstance(row["p95_met"], bool)
    page = markdown_path.read_text()
    assert all(f"| {screen.name} |" in page for screen in screens.SCREENS)

    # A screen that answers anything but 200 is reported with that status, not timed as
    # if it were the page.
    from django.test import Client

    signed_out = screens.Screen("dashboard, signed out", "/dashboard/", None)
    row = screens.measure(Client(), signed_out, screens.targets_resolve(None), requests=1, warmup=0)
    assert row["status"] == 302
