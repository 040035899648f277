"""Indexes for the lead report at scale (issue 16): the queue's counts and the period's
decisions (and a district's, for its dashboard) are read from the index alone, not from
submission rows kilobytes wide, and
overdue reviews from the open ones' due dates. Built
without locking the table against writes (accounts.migration_operations), so the migration
is not atomic."""

from django.db import migrations, models

from accounts.migration_operations import AddIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("credentials", "0022_double_review_tally"),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="review",
            index=models.Index(
                condition=models.Q(("state", "assigned")),
                fields=["due_at"],
                name="credentials_review_open_due",
            ),
        ),
        AddIndexWithoutLocking(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("state__in", ["submitted", "in_review"])),
                fields=["micro_credential"],
                include=("state",),
                name="credentials_submission_queue",
            ),
        ),
        AddIndexWithoutLocking(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("state__in", ["earned", "not_yet"])),
                fields=["decided_at"],
                include=("micro_credential", "submitted_at", "state", "attempt", "learner"),
                name="credentials_submission_decided",
            ),
        ),
    ]
