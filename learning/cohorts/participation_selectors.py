"""Reads for a cohort's discussion, RSVPs, attendance and roster. Each costs a fixed number
of queries however many members, sessions and posts there are."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from learning.cohorts.permissions import TAKING_PART
from learning.models import Attendance, Cohort, CohortMember, CohortSession, Post, Rsvp

ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE]


def session_get(*, cohort: Cohort, session_id: int) -> CohortSession:
    """One of the cohort's sessions (404 for another cohort's), with its cohort attached."""
    session = get_object_or_404(CohortSession, cohort=cohort, pk=session_id)
    session.cohort = cohort
    return session


def post_get(*, cohort: Cohort, post_id: int) -> Post:
    """One post in the cohort's discussions (404 for another cohort's)."""
    post = get_object_or_404(
        Post.objects.select_related("session", "author", "parent"),
        session__cohort=cohort,
        pk=post_id,
    )
    post.session.cohort = cohort
    return post


def thread_list(*, session: CohortSession) -> QuerySet[Post]:
    """The session's threads, oldest first, with their replies (`reply_list`) and authors."""
    replies = Post.objects.select_related("author", "hidden_by").order_by("created_at")
    return (
        Post.objects.filter(session=session, parent__isnull=True)
        .select_related("author", "hidden_by")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="reply_list"))
        .order_by("created_at")
    )


def rsvp_get(*, session: CohortSession, user: User) -> Rsvp | None:
    return Rsvp.objects.filter(session=session, user=user).first()


def rsvp_counts(*, session: CohortSession) -> dict[str, int]:
    counts = dict.fromkeys(Rsvp.Answer.values, 0)
    for row in Rsvp.objects.filter(session=session).values("answer").annotate(n=Count("pk")):
        counts[row["answer"]] = row["n"]
    return counts


def member_list(*, cohort: Cohort) -> QuerySet[CohortMember]:
    """The cohort's members taking part (not facilitators), by name."""
    return (
        CohortMember.objects.filter(
            cohort=cohort, role=CohortMember.Role.MEMBER, state__in=TAKING_PART
        )
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def attendance_by_user(*, session: CohortSession) -> dict[int, Attendance]:
    return {a.user_id: a for a in Attendance.objects.filter(session=session)}


@dataclass
class RosterRow:
    member: CohortMember
    # One entry per session, in order: that session's Attendance or None.
    attendance: list[Attendance | None] = field(default_factory=list)
    attended: int = 0
    posts: int = 0
    sessions_posted: int = 0
    has_synthesis: bool = False

    @property
    def user(self) -> User:
        return self.member.user


@dataclass
class Roster:
    sessions: list[CohortSession]
    rows: list[RosterRow]
    # Sessions that have started: the ones attendance can be counted over.
    held: int = 0

    def attendance_percent(self, row: RosterRow) -> int | None:
        return round(100 * row.attended / self.held) if self.held else None


def roster_get(*, cohort: Cohort, now=None) -> Roster:
    """Every member with their attendance at each session and their posts: four queries."""
    now = now or timezone.now()
    sessions = list(CohortSession.objects.filter(cohort=cohort).order_by("starts_at"))
    members = list(
        member_list(cohort=cohort).annotate(
            posts=Count("user__cohort_posts", filter=Q(user__cohort_posts__session__cohort=cohort)),
            sessions_posted=Count(
                "user__cohort_posts__session",
                filter=Q(user__cohort_posts__session__cohort=cohort),
                distinct=True,
            ),
            syntheses=Count(
                "user__cohort_posts",
                filter=Q(
                    user__cohort_posts__session__cohort=cohort,
                    user__cohort_posts__is_synthesis=True,
                    user__cohort_posts__hidden_at__isnull=True,
                ),
            ),
        )
    )
    marks = {
        (a.user_id, a.session_id): a
        for a in Attendance.objects.filter(session__cohort=cohort).only(
            "user_id", "session_id", "status", "via"
        )
    }
    rows = []
    for member in members:
        attendance = [marks.get((member.user_id, s.pk)) for s in sessions]
        rows.append(
            RosterRow(
                member=member,
                attendance=attendance,
                attended=sum(1 for a in attendance if a and a.status in ATTENDED),
                posts=member.posts,
                sessions_posted=member.sessions_posted,
                has_synthesis=member.syntheses > 0,
            )
        )
    return Roster(sessions=sessions, rows=rows, held=sum(1 for s in sessions if s.starts_at <= now))
