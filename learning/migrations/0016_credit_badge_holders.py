"""The heatmap's badges per micro-credential from a narrow index (issue 16): each page's
standing badges by holder. Built without locking the table (accounts.migration_operations),
so the migration is not atomic."""

from django.db import migrations, models

from accounts.migration_operations import AddIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("learning", "0015_district_figure_indexes"),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="creditentry",
            index=models.Index(
                condition=models.Q(("source", "badge"), ("voided_at__isnull", True)),
                fields=["page", "user"],
                name="learning_credit_badge_holders",
            ),
        ),
    ]
