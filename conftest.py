"""Test set-up shared by every test: media in a temporary folder, services chosen by env."""

import os

import pytest

REDIS_CONFIGURED = bool(os.environ.get("REDIS_URL"))
POSTGRES_CONFIGURED = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _content_types_read_afresh():
    """A transactional test ends by flushing the database, and the flush makes the content
    types again under new ids; the process's cache would still hand out the old ones (a
    page made next then fails: "content type instance with id 1 is not a valid choice")."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def pytest_collection_modifyitems(config, items):
    # Tests that need Redis (a real Celery worker) or PostgreSQL (real row locks between
    # threads) run only where those are configured; elsewhere they are deselected, not
    # skipped: `make test` on a bare machine is complete, and CI runs both.
    unavailable = set()
    if not REDIS_CONFIGURED:
        unavailable.add("needs_redis")
    if not POSTGRES_CONFIGURED:
        unavailable.add("needs_postgres")
    kept, dropped = [], []
    for item in items:
        needs = {marker.name for marker in item.iter_markers()} & unavailable
        (dropped if needs else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Transactional tests (browser, worker) end by flushing the database, which takes away
    what data migrations created; a reused test database would start the next run without
    it. Put it back once per session."""
    from cms.demo import base_data_ensure

    with django_db_blocker.unblock():
        base_data_ensure()
