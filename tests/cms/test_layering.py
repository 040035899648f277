"""The import-linter contracts (.importlinter, run by `make lint`) hold for the code, and
they are live: a copy of the code with one forbidden import fails them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
APPS = ["accounts", "cms", "learning", "credentials", "integrations"]


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True, check=False
    )


@pytest.fixture
def copy_of_the_code(tmp_path):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_code_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("learning/selectors.py", "from credentials.models import Assertion", "learning is not"),
        ("cms/selectors.py", "from learning.models import Membership", "cms is not allowed"),
        (
            "credentials/selectors/badges.py",
            "from credentials.services.badges import assertion_award",
            "credentials.selectors is not allowed to import credentials.services",
        ),
        (
            "credentials/services/review.py",
            "from learning.models import Membership",
            "credentials is not allowed to import learning.models",
        ),
    ],
)
def test_a_new_violation_fails(copy_of_the_code, module, line, broken):
    with open(copy_of_the_code / module, "a") as handle:
        handle.write(f"\n{line}  # noqa\n")
    result = lint_imports(copy_of_the_code)
    assert result.returncode == 1
    assert broken in result.stdout


@pytest.mark.django_db
def test_every_module_of_every_app_imports():
    """A moved module leaves no stale import behind, even in code no other test loads (a
    management command, say): `manage.py check` does not import those."""
    import importlib
    import pkgutil

    failures = []
    for app in APPS:
        package = importlib.import_module(app)
        for found in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".settings." in found.name and not found.name.endswith(".test"):
                continue  # each settings module configures Django on its own terms
            try:
                importlib.import_module(found.name)
            except Exception as error:  # every failure is reported
                failures.append(f"{found.name}: {error!r}")
    assert failures == []
