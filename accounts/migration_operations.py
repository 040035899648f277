"""Migration operations Leap's own migrations share.

An index added to a table that already holds a district's (or a nation's) rows must not stop
the site while it is built. A plain `CREATE INDEX` takes a lock that blocks every write to
the table until it ends: on a million badges that is seconds to minutes in which no badge can
be awarded and no evidence submitted. `AddIndexWithoutLocking` builds the index
`CONCURRENTLY` on PostgreSQL, so reads and writes go on; elsewhere (SQLite in tests and
development) it is a plain `AddIndex`. A migration that uses it says `atomic = False`,
because PostgreSQL builds such an index outside a transaction.

A concurrent build that is cut short (a deploy stopped, a unique violation, a lost
connection) leaves the index behind marked invalid. `migrate` would then stop on "already
exists" every time; instead, the next run drops the invalid index and builds it again."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


def invalid_index_drop(schema_editor, name: str) -> None:
    """Drop index `name` if an earlier concurrent build left it invalid (PostgreSQL)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid "
            "WHERE pg_class.relname = %s AND NOT pg_index.indisvalid",
            [name],
        )
        invalid = cursor.fetchone() is not None
    if invalid:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


class AddIndexWithoutLocking(AddIndexConcurrently):
    """`AddIndex` that leaves the table open to writes while PostgreSQL builds the index."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            migrations.AddIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )
            return
        self._ensure_not_in_transaction(schema_editor)
        invalid_index_drop(schema_editor, self.index.name)
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            migrations.AddIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        fields = ", ".join(self.index.fields)
        return (
            f"Create index {self.index.name} on field(s) {fields} of model {self.model_name} "
            "(on PostgreSQL concurrently, without locking the table)"
        )
