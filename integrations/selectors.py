"""Reads of the district integrations: tokens by their secret and by district, and the
querysets the REST API serves, each limited to one district's members."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from credentials.models import Assertion
from integrations.models import ApiToken, api_token_hash
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CreditEntry,
    District,
    Enrolment,
    Membership,
    Rating,
    School,
    SelfAssessment,
)


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The token with this secret (usable or not: the caller says which it is), with its
    district."""
    return (
        ApiToken.objects.select_related("district")
        .filter(token_hash=api_token_hash(secret))
        .first()
    )


def api_token_list(*, district: District) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(district=district).select_related("created_by", "revoked_by")


# ---- What the API serves: one district's data ----
# Data endpoints serve the district's active members only: a person who leaves a district
# takes their learning records with them. The member endpoint lists the inactive too.


def _member_user_ids(district: District) -> QuerySet:
    return Membership.objects.filter(district=district, is_active=True).values("user_id")


def _member_id(district: District, user_field: str = "user_id") -> Subquery:
    """The member id (the membership's) of the row's person in this district."""
    return Subquery(
        Membership.objects.filter(district=district, user_id=OuterRef(user_field)).values("pk")[:1]
    )


def api_school_list(*, district: District) -> QuerySet[School]:
    return School.objects.filter(district=district).annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True))
    )


def api_member_list(*, district: District) -> QuerySet[Membership]:
    return Membership.objects.filter(district=district).select_related("user", "school")


def api_enrolment_list(*, district: District) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(user_id__in=_member_user_ids(district)).annotate(
        member_id=_member_id(district),
        steps_completed=Count("steps", filter=Q(steps__completed_at__isnull=False)),
    )


def api_self_assessment_list(*, district: District) -> QuerySet[SelfAssessment]:
    """Each member's latest finished take of each framework: what the district's admins see
    of it on the coverage screens, not the history of every take."""
    finished = SelfAssessment.objects.filter(completed_at__isnull=False)
    later = finished.filter(
        user_id=OuterRef("user_id"),
        framework_id=OuterRef("framework_id"),
        completed_at__gt=OuterRef("completed_at"),
    )
    ratings = Rating.objects.select_related("element").order_by(
        "element__sort_order", "element__code"
    )
    return (
        finished.filter(user_id__in=_member_user_ids(district))
        .exclude(Exists(later))
        .select_related("framework")
        .prefetch_related(Prefetch("ratings", queryset=ratings))
        .annotate(member_id=_member_id(district))
    )


def api_badge_list(*, district: District) -> QuerySet[Assertion]:
    return (
        Assertion.objects.filter(recipient_id__in=_member_user_ids(district))
        .select_related("badge_class")
        .annotate(member_id=_member_id(district, "recipient_id"))
    )


def api_cohort_list(*, district: District) -> QuerySet[Cohort]:
    taking_part = Q(
        members__role=CohortMember.Role.MEMBER,
        members__state__in=[CohortMember.State.ACTIVE, CohortMember.State.COMPLETED],
    )
    return Cohort.objects.filter(district=district).annotate(
        member_count=Count("members", filter=taking_part, distinct=True),
        session_count=Count("sessions", distinct=True),
    )


def api_attendance_list(*, district: District) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(
            session__cohort__district=district, user_id__in=_member_user_ids(district)
        )
        .select_related("session")
        .annotate(member_id=_member_id(district))
    )


def api_credit_list(*, district: District) -> QuerySet[CreditEntry]:
    return CreditEntry.objects.filter(user_id__in=_member_user_ids(district)).annotate(
        member_id=_member_id(district)
    )
