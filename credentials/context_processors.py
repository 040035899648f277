"""What the site navigation needs to know about the signed-in person's reviewing."""

from django.utils.functional import SimpleLazyObject

from credentials.selectors.review import is_reviewer


def navigation(request) -> dict:
    """`nav_is_reviewer` (an active member of a reviewer pool): one query, run only when a
    template uses it, none for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_reviewer": False}
    return {"nav_is_reviewer": SimpleLazyObject(lambda: is_reviewer(user=user))}
