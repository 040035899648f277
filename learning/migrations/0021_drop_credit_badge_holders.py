"""The heatmap counts its badges per micro-credential from the district's groups
(`DistrictBadgeCount`, 0020), so the holders' index of 0016 is read by nothing and only
costs every credit a write (issue 16). Dropped without locking the table
(accounts.migration_operations), so the migration is not atomic."""

from django.db import migrations

from accounts.migration_operations import RemoveIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("learning", "0020_district_badge_counts"),
    ]

    operations = [
        RemoveIndexWithoutLocking(model_name="creditentry", name="learning_credit_badge_holders"),
    ]
