"""The headers every page carries: Content-Security-Policy (strict on Leap's pages, looser
only under the admins' paths), Permissions-Policy, and no-store for people signed in."""

import re
from pathlib import Path

import pytest

from cms.demo import site_tree_ensure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, set[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = set(sources)
    return parsed


@pytest.fixture
def home(db):
    return site_tree_ensure()


@pytest.fixture
def learner_client(client):
    client.force_login(UserFactory(email="maya@school.example"))
    return client


def test_a_public_page_runs_only_leaps_own_script_and_styles(client, home):
    response = client.get("/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    # Visitors' pages may be cached as before: nothing private on them.
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_learner_page_has_the_strict_policy_and_is_never_stored(learner_client, home):
    response = learner_client.get("/notifications/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == {"'self'"}
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_permissions_policy_turns_off_the_camera_microphone_and_location(client, home):
    for response in (client.get("/"), client.get("/accounts/login/")):
        features = dict(
            item.strip().split("=") for item in response["Permissions-Policy"].split(",")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()"


def test_the_admin_gets_its_own_looser_policy_only_under_its_paths(client, home):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert "'unsafe-inline'" in directives(admin)["script-src"]
    assert directives(admin)["frame-ancestors"] == {"'self'"}  # Wagtail's preview frame
    assert "no-store" in admin["Cache-Control"]
    django_admin = client.get("/django-admin/")
    assert "'unsafe-inline'" in directives(django_admin)["script-src"]
    # The same person on Leap's own pages gets the strict policy.
    assert directives(client.get("/notifications/"))["script-src"] == {"'self'"}


TEMPLATE_FOLDERS = [ROOT / "templates", ROOT / "static"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)


def test_no_template_has_inline_script_handlers_or_style_attributes():
    """The policy would block them in the browser; this names the file at once."""
    found = []
    for folder in TEMPLATE_FOLDERS:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER, STYLE_ATTRIBUTE):
                found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []
