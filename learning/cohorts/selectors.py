"""Reads for the cohort screens. Who may see a cohort is decided in
`learning.cohorts.permissions`; these take a cohort (or a person) already allowed."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from cms.pagination import KeysetPage, keyset_page
from learning.cohorts.permissions import TAKING_PART
from learning.models import (
    Cohort,
    CohortMember,
    CohortSession,
    District,
    Invitation,
    Membership,
)

IN_LINE = [CohortMember.State.WAITING, CohortMember.State.REQUESTED, CohortMember.State.INVITED]


# A district's book clubs on its home page, newest first: dates and titles, then the key.
DISTRICT_COHORT_ORDERING = ("-start_date", "title", "pk")


def cohort_page_for_district(*, district: District, cursor: str | None, size: int) -> KeysetPage:
    """One page of the district's cohorts (cms.pagination), each with what it reads
    (`reading`: the book's or the pathway's title), how many take part and wait, and the
    next meeting. Three queries at any depth: the figures are counted for the page's
    cohorts only, and no book or pathway page is loaded."""
    cohorts = Cohort.objects.filter(district=district).annotate(
        reading=Coalesce("book__title", "pathway__title")
    )
    page = keyset_page(cohorts, ordering=DISTRICT_COHORT_ORDERING, cursor=cursor, size=size)
    now = timezone.now()
    figures = (
        Cohort.objects.filter(pk__in=[cohort.pk for cohort in page.items])
        .annotate(
            taking_part=Count(
                "members",
                filter=Q(members__state__in=TAKING_PART, members__role=CohortMember.Role.MEMBER),
                distinct=True,
            ),
            waiting=Count(
                "members", filter=Q(members__state=CohortMember.State.WAITING), distinct=True
            ),
            next_meeting=Min("sessions__starts_at", filter=Q(sessions__starts_at__gt=now)),
        )
        .values("pk", "taking_part", "waiting", "next_meeting")
    )
    by_cohort = {row.pop("pk"): row for row in figures} if page.items else {}
    none = {"taking_part": 0, "waiting": 0, "next_meeting": None}
    for cohort in page.items:
        for name, value in by_cohort.get(cohort.pk, none).items():
            setattr(cohort, name, value)
    return page


def cohort_list_annotated(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    now = timezone.now()
    return cohorts.select_related("district", "book", "pathway").annotate(
        next_meeting=Min("sessions__starts_at", filter=Q(sessions__starts_at__gt=now)),
        session_count=Count("sessions", distinct=True),
    )


def cohort_list_joinable(*, user: User) -> QuerySet[Cohort]:
    """Open cohorts of the person's districts that anyone there may sign up for, where
    they have no place yet (or left)."""
    districts = Membership.objects.filter(
        user=user, is_active=True, district__is_active=True
    ).values("district_id")
    placed = CohortMember.objects.filter(user=user).exclude(state=CohortMember.State.LEFT)
    return (
        Cohort.objects.filter(
            district_id__in=districts,
            visibility=Cohort.Visibility.DISTRICT,
            status=Cohort.Status.OPEN,
        )
        .exclude(pk__in=placed.values("cohort_id"))
        .select_related("district", "book", "pathway")
        .order_by("start_date", "title")
    )


def place_list_pending(*, user: User) -> QuerySet[CohortMember]:
    """The person's invitations, requests and waiting-list places."""
    return (
        CohortMember.objects.filter(user=user, state__in=IN_LINE)
        .select_related("cohort", "cohort__district")
        .order_by("state_changed_at")
    )


def place_get(*, cohort: Cohort, user: User) -> CohortMember | None:
    return CohortMember.objects.filter(cohort=cohort, user=user).first()


def session_list(*, cohort: Cohort) -> list[CohortSession]:
    """The cohort's sessions in time order, each with `post_count` (visible posts)."""
    return list(
        CohortSession.objects.filter(cohort=cohort)
        .annotate(post_count=Count("posts", filter=Q(posts__hidden_at__isnull=True)))
        .order_by("starts_at", "number")
    )


@dataclass(frozen=True)
class Progress:
    past: int
    total: int
    current: CohortSession | None  # the next session not yet over: this week's

    @property
    def percent(self) -> int:
        return round(100 * self.past / self.total) if self.total else 0


def schedule_progress(sessions: list[CohortSession], *, now: dt.datetime | None = None) -> Progress:
    """Sessions already over out of all, and the first not yet over."""
    now = now or timezone.now()
    over = [s for s in sessions if s.starts_at + dt.timedelta(minutes=s.duration_minutes) <= now]
    current = next((s for s in sessions if s not in over), None)
    return Progress(past=len(over), total=len(sessions), current=current)


def member_list(*, cohort: Cohort) -> QuerySet[CohortMember]:
    """Everyone with a place or in line, facilitators first, then by when their state last
    changed (the waiting list's order)."""
    return (
        CohortMember.objects.filter(cohort=cohort)
        .exclude(state=CohortMember.State.LEFT)
        .select_related("user")
        .order_by("-role", "state_changed_at", "pk")
    )


def invitation_open_list(*, cohort: Cohort) -> QuerySet[Invitation]:
    """Invitations to the district that bring this club, not yet accepted or withdrawn,
    newest first (expired ones too, marked `expired`: sending again renews them)."""
    return (
        Invitation.objects.filter(cohort=cohort, accepted_at__isnull=True, revoked_at__isnull=True)
        .annotate(expired=Q(expires_at__lte=timezone.now()))
        .order_by("-sent_at", "-pk")
    )


def roster_list_addable(*, cohort: Cohort) -> QuerySet[User]:
    """Active members of the cohort's district without a place in it (or who left)."""
    placed = CohortMember.objects.filter(cohort=cohort).exclude(state=CohortMember.State.LEFT)
    return (
        User.objects.filter(
            memberships__district_id=cohort.district_id, memberships__is_active=True
        )
        .exclude(pk__in=placed.values("user_id"))
        .distinct()
        .order_by("display_name", "email")
    )


def district_people(*, district: District) -> QuerySet[User]:
    """The district's active members (for choosing facilitators)."""
    return (
        User.objects.filter(memberships__district=district, memberships__is_active=True)
        .distinct()
        .order_by("display_name", "email")
    )


def is_taking_part_anywhere(*, user: User) -> bool:
    """Whether the person takes part in, facilitates, is invited to or waits for any
    cohort (the menu's "Book clubs")."""
    return CohortMember.objects.filter(user=user).exclude(state=CohortMember.State.LEFT).exists()
