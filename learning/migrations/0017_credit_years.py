"""Each learner's standing credit per school year (issue 16: the district dashboard and PD
goals read a row a member a year, not every ledger entry). The triggers that keep it, and
its first sum of the ledger, come from `learning.credit_years.CREDIT_YEARS.sync`, which
runs after every `migrate` because they depend on LEAP_SCHOOL_YEAR_START_MONTH. Migrating
back removes the triggers before the table."""

from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def triggers_drop(apps, schema_editor):
    """Migrating back: the triggers that keep the roll-up go before its table. Written out
    here rather than taken from the code, which may name them otherwise later."""
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            "DROP TRIGGER IF EXISTS learning_credit_year ON learning_creditentry",
            "DROP TRIGGER IF EXISTS learning_credit_year_update ON learning_creditentry",
            "DROP FUNCTION IF EXISTS learning_credit_year()",
        ]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS learning_credit_year_{event}"
            for event in ("insert", "update", "delete")
        ]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0016_credit_badge_holders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CreditYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year_start", models.DateField()),
                ("badges", models.IntegerField(default=0)),
                (
                    "hours",
                    models.DecimalField(decimal_places=1, default=Decimal("0"), max_digits=9),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        db_index=False,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "year_start"), name="learning_credit_year_once"
                    )
                ],
            },
        ),
        migrations.RunPython(migrations.RunPython.noop, triggers_drop),
    ]
