"""Reads about people that more than one screen uses."""

from django.db.models import QuerySet

from accounts.models import Notification, NotificationSettings, User


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_settings_of(*, user: User) -> NotificationSettings:
    """The stored settings, or unsaved defaults: nothing is stored until the person saves."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)
