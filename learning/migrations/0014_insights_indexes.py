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
        ("learning", "0013_memberships_and_credit_leave_the_reference_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="creditentry",
            index=models.Index(
                fields=["user", "source", "page"], name="learning_credit_user_source"
            ),
        ),
        AddIndexWithoutLocking(
            model_name="selfassessment",
            index=models.Index(
                fields=["user", "framework", "completed_at"], name="learning_assessment_latest"
            ),
        ),
    ]
