"""Indexes for the staff list of issued badges at a million rows (issue 16): its "revoked"
and expiry filters, its sort by e-mail, and, on PostgreSQL only, a trigram index that
serves searching it by any part of an e-mail address.

The trigram index is on the very expression Django writes for `recipient_email__icontains`
on PostgreSQL, `UPPER("recipient_email"::text) LIKE UPPER(%s)`, so the planner can use it.
It needs the pg_trgm extension (trusted: a database owner may create it) and has no SQLite
equivalent, so it is made here by SQL rather than declared on the model; SQLite searches by
scanning, as before. Where the database's user may not create the extension (not the
database's owner, say) and nobody has created it for Leap, the migration goes on without the
trigram index and says so, with the two statements that add it later (as the owner): the
search scans meanwhile, slower at a million badges but correct (docs/operations.md).

Every index here is built without locking the table against writes
(accounts.migration_operations), so the migration is not atomic."""

import logging

from django.db import DatabaseError, migrations, models, transaction

from accounts.migration_operations import AddIndexWithoutLocking, invalid_index_drop

TRIGRAM_INDEX = "credentials_assertion_email_trgm"
TRIGRAM_INDEX_SQL = (
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TRIGRAM_INDEX} ON credentials_assertion "
    "USING gin ((UPPER(recipient_email::text)) gin_trgm_ops)"
)

logger = logging.getLogger("leap.migrations")


def trigram_extension_ready(schema_editor) -> bool:
    """Whether pg_trgm is there, made now if this user may make it."""
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        logger.warning(
            "The pg_trgm extension could not be created (%s). Searching issued badges by "
            "part of an e-mail address will scan the table. To add its index later, run as "
            "the database's owner: CREATE EXTENSION pg_trgm; %s; (docs/operations.md).",
            str(error).strip(),
            TRIGRAM_INDEX_SQL,
        )
        return False
    return True


def trigram_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not trigram_extension_ready(
        schema_editor
    ):
        return
    invalid_index_drop(schema_editor, TRIGRAM_INDEX)
    schema_editor.execute(TRIGRAM_INDEX_SQL)


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: something else may use it, and it costs nothing unused.
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("credentials", "0019_assertions_leave_the_reference_index"),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="assertion",
            index=models.Index(
                condition=models.Q(("revoked", True)),
                fields=["-issued_on"],
                name="credentials_assertion_revoked",
            ),
        ),
        AddIndexWithoutLocking(
            model_name="assertion",
            index=models.Index(fields=["expires_on"], name="credentials_assertion_expires"),
        ),
        AddIndexWithoutLocking(
            model_name="assertion",
            index=models.Index(fields=["recipient_email"], name="credentials_assertion_email"),
        ),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
    ]
