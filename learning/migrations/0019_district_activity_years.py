"""Each district's members' activity per school year, by school and role (issue 16): the
dashboard reads a row per group and year whatever the district's size. Its triggers (on
`learning_activityyear` and `learning_membership`) and its first sum come from
`learning.activity_years.DISTRICT_ACTIVITY.sync`, after `migrate`. Migrating back removes
the triggers before the table."""

from django.db import migrations, models

from accounts.migration_operations import rollup_triggers_drop


def triggers_drop(apps, schema_editor):
    """Written out here rather than taken from the code, which may name them otherwise."""
    rollup_triggers_drop(
        schema_editor,
        [
            ("learning_district_activity_person", "learning_activityyear"),
            ("learning_district_activity_member", "learning_membership"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0018_activity_years"),
    ]

    operations = [
        migrations.CreateModel(
            name="DistrictActivityYear",
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
                ("badges", models.BigIntegerField()),
                ("hours", models.DecimalField(decimal_places=1, max_digits=14)),
                ("pathways_started", models.BigIntegerField()),
                ("pathways_completed", models.BigIntegerField()),
                ("assessments", models.BigIntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["district_id"], name="learning_dact_district")
                ],
            },
        ),
        migrations.RunPython(migrations.RunPython.noop, triggers_drop),
    ]
