"""Reads about people that more than one screen uses, and the queued work staff watch."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import BatchJob, Notification, NotificationSettings, OutboxMessage, User


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_settings_of(*, user: User) -> NotificationSettings:
    """The stored settings, or unsaved defaults: nothing is stored until the person saves."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


def _outbox_attention(now: datetime | None) -> Q:
    waited_since = (now or timezone.now()) - timedelta(
        minutes=settings.LEAP_OUTBOX_ATTENTION_MINUTES
    )
    return Q(state=OutboxMessage.State.DEAD) | Q(
        state__in=OutboxMessage.ACTIVE_STATES, created_at__lt=waited_since
    )


def outbox_attention_list(*, now: datetime | None = None) -> QuerySet[OutboxMessage]:
    """Queued work staff should look at: given up, or not done after
    LEAP_OUTBOX_ATTENTION_MINUTES; oldest first."""
    return OutboxMessage.objects.filter(_outbox_attention(now)).order_by("created_at", "pk")


def outbox_attention_counts(*, now: datetime | None = None) -> dict[str, int]:
    """How many of those are given up (`dead`) and how many still waiting (`waiting`)."""
    dead = Q(state=OutboxMessage.State.DEAD)
    return OutboxMessage.objects.filter(_outbox_attention(now)).aggregate(
        dead=Count("pk", filter=dead), waiting=Count("pk", filter=~dead)
    )


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
