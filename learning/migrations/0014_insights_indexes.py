"""Indexes for the district insights at scale (issue 16): each member's entries, takes and
submissions are found from the member, so a district's figures cost its members' rows, not
every district's, and stay cheap when the planner has no statistics yet."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0009_home_page_featured"),
        ("learning", "0013_memberships_and_credit_leave_the_reference_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="creditentry",
            index=models.Index(
                fields=["user", "source", "page"], name="learning_credit_user_source"
            ),
        ),
        migrations.AddIndex(
            model_name="selfassessment",
            index=models.Index(
                fields=["user", "framework", "completed_at"], name="learning_assessment_latest"
            ),
        ),
    ]
