"""What the site navigation needs to know about the signed-in person's districts."""

from django.utils.functional import SimpleLazyObject

from learning.permissions import district_list_staffed


def navigation(request) -> dict:
    """`nav_district`: the district the person administers or facilitates (the first by
    name), or None.
    One query, run only when a template uses it, none for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_district": None}
    return {
        "nav_district": SimpleLazyObject(
            lambda: district_list_staffed(user).only("slug", "name").first() or ""
        )
    }
