"""What the site navigation needs to know about the signed-in person."""

from django.utils.functional import SimpleLazyObject

from credentials.models import Notification, PoolMember


def navigation(request) -> dict:
    """`nav_unread` (unread notifications) and `nav_is_reviewer` (an active member of a
    reviewer pool). One query each, run only when a template uses them (so the Wagtail
    admin and JSON views pay nothing), none for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_unread": 0, "nav_is_reviewer": False}
    return {
        "nav_unread": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        ),
        "nav_is_reviewer": SimpleLazyObject(
            lambda: PoolMember.objects.filter(user=user, is_active=True).exists()
        ),
    }
