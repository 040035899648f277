"""Indexes for the staff list of issued badges at a million rows (issue 16): its "revoked"
and expiry filters, its sort by e-mail, and, on PostgreSQL only, a trigram index that
serves searching it by any part of an e-mail address.

The trigram index is on the very expression Django writes for `recipient_email__icontains`
on PostgreSQL, `UPPER("recipient_email"::text) LIKE UPPER(%s)`, so the planner can use it.
It needs the pg_trgm extension (trusted: a database owner may create it) and has no SQLite
equivalent, so it is made here by SQL rather than declared on the model; SQLite searches by
scanning, as before."""

from django.db import migrations, models

TRIGRAM_INDEX = "credentials_assertion_email_trgm"


def trigram_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON credentials_assertion "
        "USING gin ((UPPER(recipient_email::text)) gin_trgm_ops)"
    )


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: something else may use it, and it costs nothing unused.
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0019_assertions_leave_the_reference_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assertion",
            index=models.Index(
                condition=models.Q(("revoked", True)),
                fields=["-issued_on"],
                name="credentials_assertion_revoked",
            ),
        ),
        migrations.AddIndex(
            model_name="assertion",
            index=models.Index(fields=["expires_on"], name="credentials_assertion_expires"),
        ),
        migrations.AddIndex(
            model_name="assertion",
            index=models.Index(fields=["recipient_email"], name="credentials_assertion_email"),
        ),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
    ]
