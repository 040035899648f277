"""Index migrations that a site with a million rows can run while it serves: built without
locking the table, mended when an earlier build was cut short, and going on (with a warning)
where the database's user may not create the pg_trgm extension."""

import importlib
import logging

import pytest
from django.apps import apps
from django.db import connection

from accounts.migration_operations import (
    AddIndexWithoutLocking,
    RemoveIndexWithoutLocking,
    index_valid,
    invalid_index_drop,
)

pytestmark = pytest.mark.needs_postgres

trigram_migration = importlib.import_module("credentials.migrations.0020_assertion_listing_indexes")


# A concurrent index build cannot run inside a transaction: these tests run outside one.
OUTSIDE_A_TRANSACTION = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scratch_table():
    """A table of our own in the test database, dropped afterwards."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE leap_scratch (n integer)")
        cursor.execute("INSERT INTO leap_scratch VALUES (1), (1), (2)")
    try:
        yield connection
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE leap_scratch")


@OUTSIDE_A_TRANSACTION
def test_an_index_left_invalid_by_a_cut_short_build_is_dropped_so_it_can_be_built_again(
    scratch_table,
):
    with scratch_table.cursor() as cursor:
        # A unique index over a duplicate fails part-way and stays behind, invalid: what a
        # deploy stopped during a concurrent build leaves too.
        with pytest.raises(Exception, match="could not create unique index"):
            cursor.execute("CREATE UNIQUE INDEX CONCURRENTLY leap_scratch_n ON leap_scratch (n)")
        cursor.execute("CREATE INDEX CONCURRENTLY leap_scratch_any ON leap_scratch (n)")
        assert index_valid(connection, "leap_scratch_n") is False
        with scratch_table.schema_editor(atomic=False) as editor:
            invalid_index_drop(editor, "leap_scratch_n")
            invalid_index_drop(editor, "leap_scratch_any")  # valid: left alone
        assert index_valid(connection, "leap_scratch_n") is None
        assert index_valid(connection, "leap_scratch_any") is True


@OUTSIDE_A_TRANSACTION
def test_a_run_after_one_cut_short_keeps_the_indexes_already_built():
    """A migration of several indexes stopped after building some is not recorded: the next
    `migrate` runs it again, and an index that is there and valid is kept, not built twice
    ("relation already exists")."""
    from django.db.migrations.state import ProjectState
    from django.db.models import Index

    operation = AddIndexWithoutLocking(
        model_name="assertion",
        index=Index(fields=["expires_on"], name="credentials_assertion_expires"),
    )
    state = ProjectState.from_apps(apps)
    assert index_valid(connection, "credentials_assertion_expires") is True
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("credentials", editor, state, state)
    assert index_valid(connection, "credentials_assertion_expires") is True


@OUTSIDE_A_TRANSACTION
def test_an_index_is_dropped_and_built_again_without_locking_and_a_second_run_goes_on():
    """Dropping an index concurrently, twice (a run after one cut short finds it gone), then
    going back, twice: the index is there again, valid, built once."""
    from django.db.migrations.state import ProjectState

    name = "credentials_review_open_due"
    operation = RemoveIndexWithoutLocking(model_name="review", name=name)
    state = ProjectState.from_apps(apps)
    with connection.schema_editor(atomic=False) as editor:
        for _ in range(2):
            operation.database_forwards("credentials", editor, state, state)
            assert index_valid(connection, name) is None
        for _ in range(2):
            operation.database_backwards("credentials", editor, state, state)
            assert index_valid(connection, name) is True
    assert "concurrently" in operation.describe()


@pytest.mark.django_db
def test_without_leave_to_create_pg_trgm_the_migration_goes_on_without_its_index(caplog):
    with connection.cursor() as cursor:
        # As a database user who is not its owner, on a database that lacks the extension.
        cursor.execute("DROP EXTENSION pg_trgm CASCADE")  # the index goes with it
        assert index_valid(connection, trigram_migration.TRIGRAM_INDEX) is None
        cursor.execute("CREATE ROLE leap_not_owner NOLOGIN")
        cursor.execute("GRANT ALL ON SCHEMA public TO leap_not_owner")
        cursor.execute("SET ROLE leap_not_owner")
        try:
            with (
                caplog.at_level(logging.WARNING, logger="leap.migrations"),
                connection.schema_editor() as editor,
            ):
                trigram_migration.trigram_index_create(apps, editor)
            # The transaction is still usable: the failed statement was kept in a savepoint.
            cursor.execute("SELECT 1")
        finally:
            cursor.execute("RESET ROLE")
        assert index_valid(connection, trigram_migration.TRIGRAM_INDEX) is None
    assert "pg_trgm extension could not be created" in caplog.text
    assert "CREATE EXTENSION pg_trgm" in caplog.text
    assert trigram_migration.TRIGRAM_INDEX_SQL in caplog.text  # what to run later
