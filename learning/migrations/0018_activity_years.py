"""The credit per school year becomes each learner's activity per school year (issue 16):
beside the standing credit, the pathways started and completed and the self-assessments
finished, so the district dashboard's figures come from one roll-up. Each table's triggers
write only their own columns, so every column has a default in the database.

The ledger's triggers go before the table is renamed (their function names the old table);
`learning.activity_years` installs them again, with those of the enrolments and the
self-assessments, and sums the tables, after `migrate` (`YearRollup.sync`), with the tables
locked against writes. Migrating back removes every trigger before the table goes back."""

from decimal import Decimal

from django.db import migrations, models

from accounts.migration_operations import rollup_triggers_drop

# Written out here rather than taken from the code, which may name them otherwise later.
CREDIT = "learning_credit_year"
ALL = (
    (CREDIT, "learning_creditentry"),
    ("learning_pathway_started_year", "learning_enrolment"),
    ("learning_pathway_completed_year", "learning_enrolment"),
    ("learning_assessment_year", "learning_selfassessment"),
)


def credit_triggers_drop(apps, schema_editor):
    rollup_triggers_drop(schema_editor, [(CREDIT, "learning_creditentry")])


def triggers_drop(apps, schema_editor):
    rollup_triggers_drop(schema_editor, ALL)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0017_credit_years"),
    ]

    operations = [
        migrations.RunPython(credit_triggers_drop, migrations.RunPython.noop),
        migrations.RenameModel(old_name="CreditYear", new_name="ActivityYear"),
        migrations.RemoveConstraint(model_name="activityyear", name="learning_credit_year_once"),
        migrations.AddConstraint(
            model_name="activityyear",
            constraint=models.UniqueConstraint(
                fields=("user", "year_start"), name="learning_activity_year_once"
            ),
        ),
        migrations.AlterField(
            model_name="activityyear",
            name="badges",
            field=models.IntegerField(db_default=0),
        ),
        migrations.AlterField(
            model_name="activityyear",
            name="hours",
            field=models.DecimalField(db_default=Decimal("0"), decimal_places=1, max_digits=9),
        ),
        migrations.AddField(
            model_name="activityyear",
            name="pathways_started",
            field=models.IntegerField(db_default=0),
        ),
        migrations.AddField(
            model_name="activityyear",
            name="pathways_completed",
            field=models.IntegerField(db_default=0),
        ),
        migrations.AddField(
            model_name="activityyear",
            name="assessments",
            field=models.IntegerField(db_default=0),
        ),
        migrations.RunPython(migrations.RunPython.noop, triggers_drop),
    ]
