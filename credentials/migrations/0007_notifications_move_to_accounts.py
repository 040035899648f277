"""Notifications now belong to accounts (accounts 0002 takes over the same tables). State
only: nothing in the database changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0006_evidence_and_review"),
        ("accounts", "0002_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationSettings"),
            ],
            database_operations=[],
        ),
    ]
