"""Who may see and run a cohort. Refusals are 404, never 403: a cohort's existence is not
disclosed to people outside it.

- Taking part (the cohort page, its sessions, discussion, RSVPs, the member list): the
  cohort's active (or completed) members and facilitators, and the admins of its district.
- Running it (schedule, members, attendance, hiding posts, messages, reports): its
  facilitators and the admins of its district.
- Creating a cohort in a district: the district's admins and facilitators.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from learning.models import Cohort, CohortMember, Membership

# The states of people taking part (seeing the cohort, counted in it); one list for the package.
TAKING_PART = [CohortMember.State.ACTIVE, CohortMember.State.COMPLETED]


def _admin_district_ids(user: User) -> QuerySet:
    return Membership.objects.filter(
        user=user,
        role=Membership.Role.DISTRICT_ADMIN,
        is_active=True,
        district__is_active=True,
    ).values("district_id")


def cohort_list_visible(user: User) -> QuerySet[Cohort]:
    """The cohorts the user takes part in, facilitates or administers (through the district)."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    mine = CohortMember.objects.filter(user=user).filter(
        Q(state__in=TAKING_PART) | Q(role=CohortMember.Role.FACILITATOR)
    )
    return Cohort.objects.filter(
        Q(pk__in=mine.values("cohort_id")) | Q(district_id__in=_admin_district_ids(user))
    ).filter(district__is_active=True)


def cohort_list_run(user: User) -> QuerySet[Cohort]:
    """The cohorts the user may run: those they facilitate and their districts' cohorts."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    facilitated = CohortMember.objects.filter(
        user=user, role=CohortMember.Role.FACILITATOR
    ).exclude(state=CohortMember.State.LEFT)
    return Cohort.objects.filter(
        Q(pk__in=facilitated.values("cohort_id")) | Q(district_id__in=_admin_district_ids(user))
    ).filter(district__is_active=True)


def cohort_for_participant(user: User, cohort_id: int) -> Cohort:
    """The cohort, if the user takes part in it, facilitates it or administers its district;
    otherwise 404."""
    cohort = cohort_list_visible(user).filter(pk=cohort_id).select_related("district").first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def cohort_for_facilitator(user: User, cohort_id: int) -> Cohort:
    """The cohort, if the user facilitates it or administers its district; otherwise 404."""
    cohort = cohort_list_run(user).filter(pk=cohort_id).select_related("district").first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def can_run(user: User, cohort: Cohort) -> bool:
    return cohort_list_run(user).filter(pk=cohort.pk).exists()


def can_create_in(user: User, district_id: int) -> bool:
    """District admins and facilitators may start a cohort in their district."""
    return Membership.objects.filter(
        user=user,
        district_id=district_id,
        role__in=[Membership.Role.DISTRICT_ADMIN, Membership.Role.FACILITATOR],
        is_active=True,
        district__is_active=True,
    ).exists()
