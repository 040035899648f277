"""Who may see and do what on the learner's side. Learners reach only their own records
(views look them up with `user=request.user`, so another person's id is a 404); district
admins reach their own district's members and progress, never their reflections. Their
self-assessment ratings reach admins only through the insights: counts per level (shown
for five or more people), and, behind a cell of the coverage heatmap, who is at that level
for that element, so admins can invite them to learning that helps; never the notes, and
never on a shared report (`learning.insights`).

"Who administers which district" is decided here, once: an active district-admin
membership of an active district. Facilitators (who run the district's book clubs) see
their district's roster, read only: the active members' names, roles and schools. Not
their e-mail addresses, progress, credit, invitations, the join code or any admin action;
those stay with district admins."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from learning.models import District, Membership


def is_platform_staff(user: User) -> bool:
    """Leap's own staff (superusers and staff accounts): they read the whole audit log."""
    return user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff)


def _admin_memberships(user: User) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(
        user=user,
        role=Membership.Role.DISTRICT_ADMIN,
        is_active=True,
        district__is_active=True,
    )


def district_ids_administered(user: User) -> list[int]:
    """The districts the user administers."""
    return list(_admin_memberships(user).values_list("district_id", flat=True))


def district_list_administered(user: User) -> QuerySet[District]:
    """The districts the user administers, by name."""
    return District.objects.filter(pk__in=_admin_memberships(user).values("district_id")).order_by(
        "name", "pk"
    )


def is_district_admin(user: User, district: District) -> bool:
    return _admin_memberships(user).filter(district=district).exists()


# A membership that makes its person staff of the district: an active admin or facilitator
# of an active district.
STAFF_MEMBERSHIP = Q(
    role__in=[Membership.Role.DISTRICT_ADMIN, Membership.Role.FACILITATOR],
    is_active=True,
    district__is_active=True,
)


def _staff_memberships(user: User) -> QuerySet[Membership]:
    """Active admin or facilitator memberships of active districts."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(STAFF_MEMBERSHIP, user=user)


def district_list_staffed(user: User) -> QuerySet[District]:
    """The districts the user administers or facilitates, by name (the menu's "District")."""
    return District.objects.filter(pk__in=_staff_memberships(user).values("district_id")).order_by(
        "name", "pk"
    )


def district_for_staff(user: User, slug: str) -> tuple[District, str]:
    """The district and the user's role in it (district admin or facilitator), or 404: a
    learner of the district and everyone else see no district screen at all."""
    role = (
        _staff_memberships(user).filter(district__slug=slug).values_list("role", flat=True).first()
    )
    if role is None:
        raise Http404("No such district.")
    return District.objects.get(slug=slug), role


def district_for_admin(user: User, slug: str) -> District:
    """The district the user administers, or 404 (never 403: a district's existence is not
    disclosed to outsiders)."""
    district = District.objects.filter(slug=slug, is_active=True).first()
    if district is None or not is_district_admin(user, district):
        raise Http404("No such district.")
    return district
