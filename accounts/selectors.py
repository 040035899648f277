"""Reads about people that more than one screen uses."""

from django.db.models import QuerySet

from accounts.models import BatchJob, Notification, NotificationSettings, User


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_settings_of(*, user: User) -> NotificationSettings:
    """The stored settings, or unsaved defaults: nothing is stored until the person saves."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


def batch_list(*, kind: str, scope: str = "", limit: int = 10) -> list[BatchJob]:
    """The newest background jobs of a kind (within a scope), without their rows."""
    return list(
        BatchJob.objects.filter(kind=kind, scope=scope)
        .defer("rows")
        .select_related("created_by")
        .order_by("-created_at")[:limit]
    )


def batch_outcomes(job: BatchJob, labels: dict[str, str]) -> list[tuple[str, int]]:
    """The job's outcome counts with the screen's words for them."""
    return [(labels.get(outcome, outcome), count) for outcome, count in job.outcomes.items()]
