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


@pytest.fixture
def client():
    """Signed in by force_login as a person just signed in, second factor included
    (tests/sign_in.py)."""
    from tests.sign_in import SignInClient

    return SignInClient()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


DB_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def _content_types_read_afresh(request):
    """A transactional test ends by flushing the database, and the flush makes the content
    types again under new ids; the process's cache would still hand out the old ones (a
    page made next then fails: "content type instance with id 1 is not a valid choice").

    So once the test's database is set up, the cache is read again, for every model: the
    next browser test's set-up puts saved rows back into a flushed database
    (serialized_rollback), and Wagtail's Task() asks the cache for its content type while
    they go in; a model missing from the cache would get its row made anew in the empty
    table, and the restore would then clash with it."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("_django_db_helper")
        ContentType.objects.clear_cache()
        ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)


def pytest_collection_modifyitems(config, items):
    # Tests that need Redis (a real Celery worker) or PostgreSQL (real row locks between
    # threads) run only where those are configured; elsewhere they are deselected, not
    # skipped: `make test` on a bare machine is complete, and CI runs both.
    unavailable = set()
    if not REDIS_CONFIGURED:
        unavailable.add("needs_redis")
    if not POSTGRES_CONFIGURED:
        unavailable.add("needs_postgres")
    from tests.verifiers import dcc_available, dcc_required

    if not dcc_available():
        if dcc_required():
            raise pytest.UsageError(
                "LEAP_REQUIRE_DCC is set but the DCC verifier is not installed: "
                "run `make dcc-verifier` (it needs Node and npm)."
            )
        unavailable.add("needs_dcc")
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


@pytest.fixture(autouse=True)
def _layout_links_afresh():
    """Each test starts with the layout's links (the menu, the explorer's address) and the
    public fragments (the content's version) not cached: they are kept across requests, and
    a test's pages are not the last test's (ids come round again), nor is its first
    request's cost (it builds them) its second's."""
    from django.core.cache import cache

    from cms.selectors import CONTENT_VERSION_KEY, SITE_LINKS_KEY

    cache.delete_many([SITE_LINKS_KEY, CONTENT_VERSION_KEY])
