"""A district's members by name, from an index (issue 16): the members screen sorted every
member of the district by activity and name on its first page (10–12 ms for the largest
district's 6,792, growing with it), because the name is the person's, not the
membership's. `Membership.member_name` is a copy of the person's display name that the
database keeps: set as a membership is written, and again when the person is renamed. The
index is built without locking the table (accounts.migration_operations), so the
migration is not atomic."""

from django.db import migrations, models

from accounts.migration_operations import AddIndexWithoutLocking

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION learning_membership_name() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- FOR SHARE: a rename of this person that has not committed yet is waited for (and
        -- read once it has); without it, the rename's trigger would not see this row and
        -- the old name would be kept for good.
        NEW.member_name := COALESCE(
            (SELECT display_name FROM accounts_user WHERE id = NEW.user_id FOR SHARE), '');
        RETURN NEW;
    END $$""",
    """CREATE OR REPLACE TRIGGER learning_membership_name
    BEFORE INSERT OR UPDATE OF user_id, member_name ON learning_membership
    FOR EACH ROW EXECUTE FUNCTION learning_membership_name()""",
    """CREATE OR REPLACE FUNCTION learning_member_renamed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE learning_membership SET member_name = NEW.display_name
        WHERE user_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER learning_member_renamed
    AFTER UPDATE OF display_name ON accounts_user
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION learning_member_renamed()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS learning_member_renamed ON accounts_user",
    "DROP FUNCTION IF EXISTS learning_member_renamed()",
    "DROP TRIGGER IF EXISTS learning_membership_name ON learning_membership",
    "DROP FUNCTION IF EXISTS learning_membership_name()",
]
# SQLite's triggers cannot change the row being written: they write it again after.
_NAME_OF = "COALESCE((SELECT display_name FROM accounts_user WHERE id = NEW.user_id), '')"
SQLITE = [
    f"""CREATE TRIGGER learning_membership_name_insert AFTER INSERT ON learning_membership
    FOR EACH ROW BEGIN
        UPDATE learning_membership SET member_name = {_NAME_OF} WHERE id = NEW.id;
    END""",
    f"""CREATE TRIGGER learning_membership_name_update
    AFTER UPDATE OF user_id, member_name ON learning_membership
    FOR EACH ROW BEGIN
        UPDATE learning_membership SET member_name = {_NAME_OF} WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER learning_member_renamed AFTER UPDATE OF display_name ON accounts_user
    FOR EACH ROW WHEN OLD.display_name IS NOT NEW.display_name BEGIN
        UPDATE learning_membership SET member_name = NEW.display_name WHERE user_id = NEW.id;
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS learning_member_renamed",
    "DROP TRIGGER IF EXISTS learning_membership_name_update",
    "DROP TRIGGER IF EXISTS learning_membership_name_insert",
]


def names_kept(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        schema_editor.execute(statement)
    # Every membership's name as it is now (the triggers keep it from here on).
    schema_editor.execute(
        "UPDATE learning_membership SET member_name = COALESCE((SELECT display_name"
        " FROM accounts_user WHERE accounts_user.id = learning_membership.user_id), '')"
    )


def names_dropped(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL_DROP if postgresql else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("learning", "0021_drop_credit_badge_holders"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="member_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=150),
        ),
        migrations.RunPython(names_kept, names_dropped),
        AddIndexWithoutLocking(
            model_name="membership",
            index=models.Index(
                fields=["district", "-is_active", "member_name", "id"],
                name="learning_members_by_name",
            ),
        ),
    ]
