"""What the site navigation needs to know about the signed-in person's notifications."""

from django.utils.functional import SimpleLazyObject

from accounts.selectors import notification_unread_count


def notifications(request) -> dict:
    """`nav_unread`: unread notifications. One query, run only when a template uses it (so
    the Wagtail admin and JSON views pay nothing), none for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_unread": 0}
    return {"nav_unread": SimpleLazyObject(lambda: notification_unread_count(user=user))}
