"""Indexes for the district insights at scale (issue 16): each member's entries, takes and
submissions are found from the member, so a district's figures cost its members' rows, not
every district's, and stay cheap when the planner has no statistics yet. They are built without locking the
tables against writes (accounts.migration_operations), so the migration is not atomic."""

from django.conf import settings
from django.db import migrations, models

from accounts.migration_operations import AddIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cms", "0009_home_page_featured"),
        ("credentials", "0020_assertion_listing_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="submission",
            index=models.Index(fields=["learner", "state"], name="credentials_submission_learner"),
        ),
    ]
