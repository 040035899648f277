"""`make bench`'s screens stage (benchmarks/screens.py), run here on the test database with
the demo data and three requests a screen: every screen answers 200 (a redirect to the
log-in page or a 404 would make its figures lie), and the results it writes have every
figure. Timings are not checked; the benchmark is for that. And the benchmark touches only
its own database and Redis database, whatever the shell exports."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks import report, screens

ROOT = Path(__file__).resolve().parents[2]

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


def shell(**exported) -> dict:
    """A shell's environment without any database or Redis of its own, plus `exported`."""
    names = {"DATABASE_URL", "REDIS_URL", "BENCH_DATABASE_URL", "BENCH_REDIS_URL"}
    kept = {name: value for name, value in os.environ.items() if name not in names}
    return {**kept, **exported}


def test_the_bench_settings_ignore_an_exported_database_and_redis():
    """Someone's development Redis in REDIS_URL is not the one the run empties."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.REDIS_URL, settings.DATABASES['default']['NAME']]))"
    )
    exported = shell(
        DJANGO_SETTINGS_MODULE="cms.settings.bench",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/leap",
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], env=exported, cwd=ROOT, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == ["redis://127.0.0.1:6379/6", "leap_bench"]


def test_the_bench_refuses_a_database_that_is_not_leap_bench():
    # Nothing listens on port 1: were the refusal missing, the drop would fail, not happen.
    exported = shell(
        BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:1/leap",
        BENCH_REDIS_URL="redis://127.0.0.1:1/0",
    )
    ran = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--reuse-db", "--only", "bake", "--sizes", "demo"],
        env=exported,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 1
    assert "Refusing to drop or seed 'leap': the benchmark's database is leap_bench" in ran.stderr


def test_screens_are_chosen_by_name_even_names_with_a_comma():
    chosen = screens.screens_named("district heatmap,dashboard, heavy learner , home")
    assert [screen.name for screen in chosen] == [
        "home",
        "dashboard, heavy learner",
        "district heatmap",
    ]
    assert screens.screens_named("") is None
    with pytest.raises(SystemExit, match="No screen named dashboard, nope; the screens: home;"):
        screens.screens_named("dashboard, nope")
