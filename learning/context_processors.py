"""What the site navigation needs to know about the signed-in person's districts."""

from django.utils.functional import SimpleLazyObject

from learning.models import CohortMember
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


def book_clubs(request) -> dict:
    """`nav_book_clubs`: whether to show "Book clubs" in the menu: for people who take part
    in, run, wait for or are invited to a cohort (district staff reach them from the
    district screen). One query at most, run only when a template asks, none for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_book_clubs": False}
    return {
        "nav_book_clubs": SimpleLazyObject(
            lambda: (
                CohortMember.objects.filter(user=user)
                .exclude(state=CohortMember.State.LEFT)
                .exists()
            )
        )
    }
