"""The audit log (AuditEntry), append-only in the database as well as in the ORM: a trigger
refuses UPDATE and DELETE of its rows. The one change allowed is the one Django makes when an
actor's account is deleted (their link becomes NULL; every other column stays as it was).

PostgreSQL refuses both. SQLite (the embedded default) refuses UPDATE; it cannot refuse
DELETE, because Django's test flush empties tables with DELETE there (PostgreSQL's uses
TRUNCATE, which row triggers do not see), so on SQLite deletion is refused by the ORM only."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


POSTGRESQL_TRIGGER = """
CREATE OR REPLACE FUNCTION accounts_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'The audit log is append-only: ' || TG_OP || ' of its entries is refused.',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_append_only();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_append_only();
"""

# Every column but actor_id must stay as it was, and actor_id may only become NULL.
KEPT_COLUMNS = [
    "id",
    "created_at",
    "action",
    "actor_name",
    "actor_email",
    "target_type_id",
    "target_id",
    "target_label",
    "district_id",
    "district_name",
    "summary",
    "details",
    "ip",
    "user_agent",
    "request_id",
    "origin",
]
SQLITE_TRIGGER = f"""
CREATE TRIGGER accounts_auditentry_append_only
BEFORE UPDATE ON accounts_auditentry
WHEN NOT (
    OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
    AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT_COLUMNS)}
)
BEGIN
    SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE of its entries is refused.');
END;
"""

SQLITE_DROP = "DROP TRIGGER IF EXISTS accounts_auditentry_append_only;"


def trigger_add(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def trigger_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_outbox_message'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('action', models.CharField(choices=[('badge_awarded', 'Badge awarded'), ('badge_revoked', 'Badge revoked'), ('review_decided', 'Review decision'), ('role_changed', 'Role changed'), ('pool_changed', 'Reviewer pool changed'), ('token_created', 'API token created'), ('data_exported', 'Data exported'), ('account_deleted', 'Account deleted')], max_length=40)),
                ('actor_name', models.CharField(blank=True, max_length=150)),
                ('actor_email', models.CharField(blank=True, max_length=254)),
                ('target_id', models.CharField(blank=True, max_length=64)),
                ('target_label', models.CharField(blank=True, max_length=300)),
                ('district_id', models.BigIntegerField(blank=True, null=True)),
                ('district_name', models.CharField(blank=True, max_length=200)),
                ('summary', models.CharField(blank=True, max_length=500)),
                ('details', models.JSONField(blank=True, default=dict)),
                ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                ('user_agent', models.CharField(blank=True, max_length=200)),
                ('request_id', models.CharField(blank=True, max_length=64)),
                ('origin', models.CharField(blank=True, help_text='“web”, or the task or command that acted.', max_length=200)),
                ('actor', models.ForeignKey(blank=True, help_text='Cleared when the account is deleted; the name and e-mail stay.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('target_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
            ],
            options={
                'verbose_name': 'audit entry',
                'verbose_name_plural': 'audit entries',
                'ordering': ['-pk'],
                'indexes': [models.Index(fields=['created_at'], name='accounts_audit_created_idx'), models.Index(fields=['district_id', '-id'], name='accounts_audit_district_idx'), models.Index(fields=['action', '-id'], name='accounts_audit_action_idx'), models.Index(fields=['actor_email'], name='accounts_audit_actor_idx')],
            },
        ),
        migrations.RunPython(trigger_add, trigger_drop),
    ]
