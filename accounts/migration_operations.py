"""Migration operations Leap's own migrations share.

An index added to a table that already holds a district's (or a nation's) rows must not stop
the site while it is built. A plain `CREATE INDEX` takes a lock that blocks every write to
the table until it ends: on a million badges that is seconds to minutes in which no badge can
be awarded and no evidence submitted. `AddIndexWithoutLocking` builds the index
`CONCURRENTLY` on PostgreSQL, so reads and writes go on; elsewhere (SQLite in tests and
development) it is a plain `AddIndex`. A migration that uses it says `atomic = False`,
because PostgreSQL builds such an index outside a transaction.

A migration of several indexes that is cut short (a deploy stopped, a lost connection) is
not recorded, and leaves the indexes it finished behind, and the one it was building marked
invalid. `migrate` would then stop on "already exists" every time; instead, the next run
keeps each valid index, and drops an invalid one and builds it again.

A concurrent build waits for every transaction older than itself on the database to end (a
long `pg_dump`, say) before it finishes.

`RemoveIndexWithoutLocking` is the same for an index that goes: `DROP INDEX CONCURRENTLY`
on PostgreSQL (a plain drop waits for, then blocks, every query on the table), and a run
after one cut short finds the index gone and goes on."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


def index_valid(connection, name: str) -> bool | None:
    """Whether index `name` is there and valid (PostgreSQL): None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_index.indisvalid FROM pg_index "
            "JOIN pg_class ON pg_class.oid = pg_index.indexrelid WHERE pg_class.relname = %s",
            [name],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def invalid_index_drop(schema_editor, name: str) -> None:
    """Drop index `name` if an earlier concurrent build left it invalid (PostgreSQL)."""
    if index_valid(schema_editor.connection, name) is False:
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
        if index_valid(schema_editor.connection, self.index.name):
            return  # built by an earlier run that stopped before the migration was recorded
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


class RemoveIndexWithoutLocking(RemoveIndexConcurrently):
    """`RemoveIndex` that leaves the table open to reads and writes while PostgreSQL drops
    the index (and, going back, builds it again)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            migrations.RemoveIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )
            return
        self._ensure_not_in_transaction(schema_editor)
        if index_valid(schema_editor.connection, self.name) is None:
            return  # dropped by an earlier run that stopped before the migration was recorded
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            migrations.RemoveIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )
            return
        self._ensure_not_in_transaction(schema_editor)
        if index_valid(schema_editor.connection, self.name):
            return
        invalid_index_drop(schema_editor, self.name)
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return (
            f"Remove index {self.name} from {self.model_name} "
            "(on PostgreSQL concurrently, without locking the table)"
        )


def rollup_triggers_drop(schema_editor, triggers) -> None:
    """Remove the triggers (and on PostgreSQL their function) that `accounts.year_rollups`
    installs, by the names a migration writes out: each (name, table) stands for PostgreSQL's
    `name` and `name_update` on the table and the function `name()`, or SQLite's
    `name_insert`, `name_update` and `name_delete`. For a migration going back past the table
    they write, or one about to change what they read."""
    for name, table in triggers:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_update ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
