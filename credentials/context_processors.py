"""What the site navigation needs to know about the signed-in person's reviewing."""

from django.utils.functional import SimpleLazyObject

from credentials.selectors.review import reviewing_roles_get


def navigation(request) -> dict:
    """`nav_is_reviewer` (an active member of a reviewer pool) and `nav_is_lead` (a lead of
    one): one query for both, run only when a template uses them, none for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_reviewer": False, "nav_is_lead": False}
    roles = SimpleLazyObject(lambda: reviewing_roles_get(user=user))
    return {
        "nav_is_reviewer": SimpleLazyObject(lambda: roles.member),
        "nav_is_lead": SimpleLazyObject(lambda: roles.lead),
    }
