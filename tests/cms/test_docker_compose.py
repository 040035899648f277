"""Docker cannot run here, so check that the compose stack names things that exist."""

import importlib
import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def resolve(dotted: str):
    """`package.module:attribute` or `package.module` → the object it names."""
    module_name, _, attribute = dotted.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def test_the_stack_has_every_service(compose):
    assert {"db", "redis", "web", "worker", "beat"} <= set(compose["services"])


def test_app_services_build_from_the_dockerfile(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements/lock.txt" in dockerfile
    for name in ("web", "worker", "beat", "migrate"):
        service = compose["services"][name]
        assert service["build"] == "."
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
        assert importlib.util.find_spec(service["environment"]["DJANGO_SETTINGS_MODULE"])


def test_web_runs_gunicorn_on_the_wsgi_application(compose):
    command = compose["services"]["web"]["command"]
    assert command[0] == "gunicorn"
    application = resolve(command[1])
    assert callable(application)


def test_worker_and_beat_run_the_celery_app(compose):
    for name in ("worker", "beat"):
        command = compose["services"][name]["command"]
        assert command[:3] == ["celery", "-A", "cms"]
        app = resolve("cms.celery:app")
        assert app.main == "leap"
        assert command[3] == name
    beat = compose["services"]["beat"]["command"]
    scheduler = beat[beat.index("--scheduler") + 1]
    assert resolve(scheduler).__name__ == "DatabaseScheduler"


def test_migrate_runs_a_real_management_command(compose):
    command = compose["services"]["migrate"]["command"]
    assert command[:2] == ["python", "manage.py"]
    resolve(f"django.core.management.commands.{command[2]}")


def test_app_services_wait_for_migrations(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
    assert set(services["migrate"]["depends_on"]) == {"db", "redis"}


def test_secrets_and_local_state_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


def named_volumes(service: dict) -> dict[str, str]:
    """Mount path → named volume, for the short `name:/path` form."""
    mounts = {}
    for entry in service.get("volumes", []):
        source, _, target = entry.partition(":")
        if not source.startswith((".", "/", "~")):
            mounts[target.split(":")[0]] = source
    return mounts


def test_evidence_files_live_on_a_volume_every_app_service_shares(compose):
    services = compose["services"]
    path = services["web"]["environment"]["PRIVATE_MEDIA_ROOT"]
    volume = named_volumes(services["web"]).get(path)
    assert volume, f"nothing is mounted at PRIVATE_MEDIA_ROOT ({path})"
    assert volume in (compose.get("volumes") or {})
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["environment"]["PRIVATE_MEDIA_ROOT"] == path
        assert named_volumes(services[name]).get(path) == volume, name
    # Not inside the public media volume, whose files have URLs.
    assert not path.startswith(services["web"]["environment"]["MEDIA_ROOT"].rstrip("/") + "/")
    # The image makes the folder for the user the app runs as, so a new volume belongs to it.
    dockerfile = (ROOT / "Dockerfile").read_text().splitlines()
    run = next(line for line in dockerfile if "mkdir" in line and path in line)
    assert path in run.partition("chown leap:leap")[2]
