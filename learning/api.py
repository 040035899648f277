"""What the apps above learning (credentials) may know and do about districts and people.
They call these functions (and `learning.services` for badges earned and withdrawn), never
`learning.models` directly, so learning's tables stay learning's to change."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import User
from learning import insights
from learning.models import CohortMember, District, Membership, Post
from learning.permissions import district_for_admin, district_ids_administered

__all__ = [
    "CohortCompletion",
    "cohort_completion_get",
    "district_for_admin",
    "district_ids_administered",
    "district_ids_of",
    "district_ids_excluding_own_reviewers",
    "district_lock",
    "district_member_ids",
    "district_of",
    "districts_of_users",
    "is_member_of_any",
    "time_zone_of",
]


def _active_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, is_active=True, district__is_active=True)


def district_ids_of(*, user: User) -> list[int]:
    """The active districts the user is an active member of, the one joined first first."""
    return list(
        _active_memberships(user).order_by("created_at", "pk").values_list("district_id", flat=True)
    )


def districts_of_users(*, user_ids) -> dict[int, list[District]]:
    """For many people at once (a bulk award): each one's active districts, the one joined
    first first, as `district_ids_of` and `district_of` order them; one query. Someone in
    no district is left out."""
    found: dict[int, list[District]] = {}
    memberships = (
        Membership.objects.filter(
            user_id__in=list(user_ids), is_active=True, district__is_active=True
        )
        .select_related("district")
        .order_by("created_at", "pk")
    )
    for membership in memberships:
        found.setdefault(membership.user_id, []).append(membership.district)
    return found


def district_of(*, user: User) -> District | None:
    """The district a person's records belong to, for the audit log: the active district
    they joined first (the rule `time_zone_of` uses), or None."""
    found = _active_memberships(user).select_related("district").order_by("created_at", "pk")
    membership = found.first()
    return membership.district if membership else None


def district_ids_excluding_own_reviewers(*, user: User) -> list[int]:
    """The user's districts that want their own people kept from reviewing the user's work."""
    return list(
        _active_memberships(user)
        .filter(district__reviewers_exclude_same_district=True)
        .values_list("district_id", flat=True)
    )


def district_member_ids(*, district_ids) -> QuerySet:
    """The active members of these districts, as a subquery of user ids."""
    return Membership.objects.filter(district_id__in=district_ids, is_active=True).values("user_id")


def is_member_of_any(*, user: User, district_ids) -> bool:
    return Membership.objects.filter(
        user=user, district_id__in=district_ids, is_active=True
    ).exists()


def district_lock(*, district: District) -> None:
    """Lock the district's row until the transaction ends: writes that must not race for
    one district (two admins saving its issuer profile at once) take this first."""
    District.objects.select_for_update().filter(pk=district.pk).first()


def time_zone_of(*, user: User) -> ZoneInfo:
    """The zone a person's working days are counted in: that of the district they joined
    first among their active memberships of active districts, else the site's own (`user`:
    a user or their pk)."""
    name = (
        _active_memberships(user)
        .order_by("created_at", "pk")
        .values_list("district__time_zone", flat=True)
        .first()
    )
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):  # a zone this machine no longer knows
        return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class CohortCompletion:
    """What credentials needs to award a cohort's completion badge."""

    user: User
    micro_credential_id: int
    cohort_title: str
    narrative: str  # the synthesis post, only when the member agreed to share it


def cohort_completion_get(*, member_id: int) -> CohortCompletion | None:
    """A completed cohort member whose cohort has a completion badge; otherwise None."""
    member = (
        CohortMember.objects.select_related("user", "cohort")
        .filter(
            pk=member_id,
            state=CohortMember.State.COMPLETED,
            role=CohortMember.Role.MEMBER,
            cohort__completion_badge__isnull=False,
        )
        .first()
    )
    if member is None:
        return None
    return CohortCompletion(
        user=member.user,
        micro_credential_id=member.cohort.completion_badge_id,
        cohort_title=member.cohort.title,
        narrative=_synthesis_for_evidence(member),
    )


def _synthesis_for_evidence(member: CohortMember) -> str:
    """The member's latest visible synthesis post, when they agreed to share it as evidence
    with their badge; otherwise ''."""
    if not member.share_synthesis_as_evidence:
        return ""
    body = (
        Post.objects.filter(
            session__cohort_id=member.cohort_id,
            author_id=member.user_id,
            is_synthesis=True,
            hidden_at__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .values_list("body", flat=True)
        .first()
    )
    return body or ""


def dashboard_figures_register(provider) -> None:
    """Add figures to the district dashboard (see `learning.insights.DASHBOARD_FIGURES`)."""
    insights.dashboard_figures_register(provider)


def dashboard_figure(label: str, now: float, before: float | None = None, unit: str = ""):
    """One figure for the district dashboard, beside last year's."""
    return insights.Figure(label, now, before, unit)
