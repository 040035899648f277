"""Indexes for the district insights at scale (issue 16): each member's entries, takes and
submissions are found from the member, so a district's figures cost its members' rows, not
every district's, and stay cheap when the planner has no statistics yet."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0009_home_page_featured"),
        ("credentials", "0020_assertion_listing_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["learner", "state"], name="credentials_submission_learner"),
        ),
    ]
