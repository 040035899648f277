"""Who may see and do what on the learner's side. Learners reach only their own records
(views look them up with `user=request.user`, so another person's id is a 404); district
admins reach their own district's members and progress, never their ratings or reflections."""

from django.http import Http404

from learning.models import District, Membership


def is_district_admin(user, district: District) -> bool:
    return (
        user.is_authenticated
        and district.is_active
        and Membership.objects.filter(
            user=user, district=district, role=Membership.Role.DISTRICT_ADMIN, is_active=True
        ).exists()
    )


def district_for_admin(user, slug: str) -> District:
    """The district the user administers, or 404 (never 403: a district's existence is not
    disclosed to outsiders)."""
    district = District.objects.filter(slug=slug, is_active=True).first()
    if district is None or not is_district_admin(user, district):
        raise Http404("No such district.")
    return district
