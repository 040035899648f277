"""The badges a district's members hold per micro-credential, by school and role (issue 16):
the coverage heatmap reads a row per group and page whatever the district's size. Its
triggers (on `learning_creditentry` and `learning_membership`) and its first sum come from
`learning.activity_years.DISTRICT_BADGES.sync`, after `migrate`. Migrating back removes the
triggers before the table."""

from django.db import migrations, models

from accounts.migration_operations import rollup_triggers_drop


def triggers_drop(apps, schema_editor):
    """Written out here rather than taken from the code, which may name them otherwise."""
    rollup_triggers_drop(
        schema_editor,
        [
            ("learning_district_badges_person", "learning_creditentry"),
            ("learning_district_badges_member", "learning_membership"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0019_district_activity_years"),
    ]

    operations = [
        migrations.CreateModel(
            name="DistrictBadgeCount",
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
                ("page_id", models.BigIntegerField()),
                ("badges", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["district_id"], name="learning_dbadge_district")],
            },
        ),
        migrations.RunPython(migrations.RunPython.noop, triggers_drop),
    ]
