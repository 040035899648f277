"""A cohort's completion rule, evaluated for its members.

The rule (on `Cohort`): attended (present or late) at least `min_attendance_percent` of
the cohort's meetings, posted in the discussion of at least `min_sessions_posted`
sessions, and, when `requires_synthesis`, wrote a synthesis post. Hidden posts do not
count. A member completes only once every meeting has ended, so the hours credited
(meetings attended plus the cohort's reading allowance) are final: the ledger is never
edited. Completing is done once: the member's state becomes completed, one `CreditEntry`
("cohort:<id>") is added, and, when the cohort has a completion badge, credentials is asked
(by the task's dotted name) to award it.

Call `completion_check(member=...)` after attendance is recorded and after a post; the
nightly beat task (`cohorts_completion_check`) catches the rest.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.jobs import job_enqueue_on_commit
from learning.cohorts.calendar import cohort_zone
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortSession,
    CreditEntry,
    Post,
)

ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE]
BADGE_TASK = "credentials.tasks.cohort_badge_award"


@dataclass(frozen=True)
class Progress:
    """Where a member stands against the rule; `met` when everything is done."""

    meetings: int
    meetings_ended: int
    attended: int
    attended_minutes: int
    sessions_posted: int
    has_synthesis: bool
    attendance_needed: int
    sessions_posted_needed: int
    synthesis_needed: bool

    @property
    def attendance_met(self) -> bool:
        return self.meetings > 0 and self.attended >= self.attendance_needed

    @property
    def posts_met(self) -> bool:
        return self.sessions_posted >= self.sessions_posted_needed

    @property
    def synthesis_met(self) -> bool:
        return self.has_synthesis or not self.synthesis_needed

    @property
    def all_meetings_ended(self) -> bool:
        return self.meetings > 0 and self.meetings_ended == self.meetings

    @property
    def met(self) -> bool:
        return (
            self.all_meetings_ended
            and self.attendance_met
            and self.posts_met
            and self.synthesis_met
        )


def attendance_needed(*, meetings: int, percent: int) -> int:
    """The fewest meetings that make `percent` of `meetings` (rounded up, exact)."""
    return -(-meetings * percent // 100)


def progress_get(*, cohort: Cohort, user_id: int, now: dt.datetime | None = None) -> Progress:
    now = now or timezone.now()
    sessions = list(
        CohortSession.objects.filter(cohort=cohort).values_list(
            "pk", "starts_at", "duration_minutes"
        )
    )
    ended = {pk for pk, start, minutes in sessions if start + dt.timedelta(minutes=minutes) <= now}
    minutes_of = {pk: minutes for pk, _start, minutes in sessions}
    attended_ids = set(
        Attendance.objects.filter(
            session__cohort=cohort, user_id=user_id, status__in=ATTENDED
        ).values_list("session_id", flat=True)
    )
    posts = Post.objects.filter(session__cohort=cohort, author_id=user_id, hidden_at__isnull=True)
    posted = set(posts.values_list("session_id", flat=True))
    return Progress(
        meetings=len(sessions),
        meetings_ended=len(ended),
        attended=len(attended_ids),
        attended_minutes=sum(minutes_of[pk] for pk in attended_ids if pk in minutes_of),
        sessions_posted=len(posted),
        has_synthesis=posts.filter(is_synthesis=True).exists(),
        attendance_needed=attendance_needed(
            meetings=len(sessions), percent=cohort.min_attendance_percent
        ),
        sessions_posted_needed=cohort.min_sessions_posted,
        synthesis_needed=cohort.requires_synthesis,
    )


def credit_hours(*, cohort: Cohort, progress: Progress) -> Decimal:
    """Meeting hours attended plus the cohort's reading allowance, to a tenth of an hour."""
    meetings = Decimal(progress.attended_minutes) / Decimal(60)
    return (meetings + cohort.reading_hours).quantize(Decimal("0.1"))


def _credit_add(**fields) -> CreditEntry:
    try:
        with transaction.atomic():
            return CreditEntry.objects.create(**fields)
    except IntegrityError:  # credited already: the ledger's key makes this idempotent
        return CreditEntry.objects.get(user=fields["user"], source_key=fields["source_key"])


@transaction.atomic
def completion_check(*, member: CohortMember, now: dt.datetime | None = None) -> bool:
    """Complete the member if the cohort's rule is met. Returns True when this call
    completed them; False when they are not done yet, completed before, or not a member
    taking part (facilitators do not complete)."""
    now = now or timezone.now()
    member = (
        CohortMember.objects.select_for_update(of=("self",))
        .select_related("cohort", "user")
        .filter(pk=member.pk)
        .first()
    )
    if (
        member is None
        or member.role != CohortMember.Role.MEMBER
        or member.state != CohortMember.State.ACTIVE
        or member.cohort.status == Cohort.Status.CANCELLED
    ):
        return False
    cohort = member.cohort
    progress = progress_get(cohort=cohort, user_id=member.user_id, now=now)
    if not progress.met:
        return False
    member.state = CohortMember.State.COMPLETED
    member.completed_at = now
    member.state_changed_at = now
    member.save(update_fields=["state", "completed_at", "state_changed_at"])
    _credit_add(
        user=member.user,
        source=CreditEntry.Source.COHORT,
        source_key=f"cohort:{cohort.pk}",
        page_id=cohort.book_id or cohort.pathway_id,
        title=f"{cohort.title} (book club)" if cohort.book_id else f"{cohort.title} (cohort)",
        hours=credit_hours(cohort=cohort, progress=progress),
        earned_on=now.astimezone(cohort_zone(cohort)).date(),
    )
    if cohort.completion_badge_id:
        job_enqueue_on_commit(
            BADGE_TASK,
            member.pk,
            label=f"cohort badge for member {member.pk}",
            dedupe_key=f"cohort-badge:{member.pk}:{now.isoformat()}",
        )
    return True


def cohorts_completion_check(*, now: dt.datetime | None = None) -> int:
    """Nightly: check every active member of cohorts whose last meeting has ended. Each
    member is checked in a transaction of its own; returns how many completed."""
    now = now or timezone.now()
    open_cohorts = Cohort.objects.filter(
        district__is_active=True, status__in=[Cohort.Status.OPEN, Cohort.Status.FINISHED]
    )
    last_end: dict[int, dt.datetime] = {}
    for cohort_id, start, minutes in CohortSession.objects.filter(
        cohort__in=open_cohorts
    ).values_list("cohort_id", "starts_at", "duration_minutes"):
        end = start + dt.timedelta(minutes=minutes)
        last_end[cohort_id] = max(end, last_end.get(cohort_id, end))
    ready = [cohort_id for cohort_id, end in last_end.items() if end <= now]
    members = CohortMember.objects.filter(
        cohort_id__in=ready, role=CohortMember.Role.MEMBER, state=CohortMember.State.ACTIVE
    )
    completed = 0
    for member in members.order_by("pk"):
        completed += completion_check(member=member, now=now)
    return completed


def completion_check_people(*, cohort_id: int, user_ids, now: dt.datetime | None = None) -> int:
    """Check the rule for these people in the cohort after something that counts toward it
    (attendance, a check-in, a post); returns how many this call completed."""
    members = CohortMember.objects.filter(
        cohort_id=cohort_id,
        user_id__in=list(user_ids),
        role=CohortMember.Role.MEMBER,
        state=CohortMember.State.ACTIVE,
    )
    return sum(completion_check(member=member, now=now) for member in members)
