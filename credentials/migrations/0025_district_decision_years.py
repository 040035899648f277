"""Each district's members' decided submissions per school year, by school and role (issue
16): the dashboard's review outcomes read a row per group and year whatever the district's
size. Its triggers (on `credentials_decisionyear` and `learning_membership`) and its first
sum come from `credentials.decision_years.DISTRICT_DECISIONS.sync`, after `migrate`.
Migrating back removes the triggers before the table."""

from django.db import migrations, models

from accounts.migration_operations import rollup_triggers_drop


def triggers_drop(apps, schema_editor):
    """Written out here rather than taken from the code, which may name them otherwise."""
    rollup_triggers_drop(
        schema_editor,
        [
            ("credentials_district_decision_person", "credentials_decisionyear"),
            ("credentials_district_decision_member", "learning_membership"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0024_decision_years"),
    ]

    operations = [
        migrations.CreateModel(
            name="DistrictDecisionYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("district_id", models.BigIntegerField()),
                ("school_id", models.BigIntegerField(null=True)),
                ("role", models.CharField(max_length=20)),
                ("year_start", models.DateField()),
                ("earned", models.BigIntegerField()),
                ("not_yet", models.BigIntegerField()),
                ("decided", models.BigIntegerField()),
                ("waited_seconds", models.FloatField()),
            ],
            options={
                "indexes": [models.Index(fields=["district_id"], name="credentials_ddec_district")],
            },
        ),
        migrations.RunPython(migrations.RunPython.noop, triggers_drop),
    ]
