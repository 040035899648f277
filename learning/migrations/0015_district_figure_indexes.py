"""The district dashboard's and heatmap's figures from the index alone (issue 16): one
partial index of the standing credit entries, member by member, holding what the figures
sum. It replaces the heatmap's index of 0014, which still sent every match to the table.
Built first, then the old index dropped, both without locking the table
(accounts.migration_operations), so the migration is not atomic."""

from django.conf import settings
from django.db import migrations, models

from accounts.migration_operations import AddIndexWithoutLocking, RemoveIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("learning", "0014_insights_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="creditentry",
            index=models.Index(
                condition=models.Q(("voided_at__isnull", True)),
                fields=["user", "earned_on"],
                include=("source", "page", "hours"),
                name="learning_credit_standing",
            ),
        ),
        RemoveIndexWithoutLocking(model_name="creditentry", name="learning_credit_user_source"),
    ]
