"""A cohort's completion rule, evaluated for its members.

The rule (on `Cohort`): attended (present or late) at least `min_attendance_percent` of
all the cohort's scheduled meetings, posted in the discussion of at least
`min_sessions_posted` sessions, and, when `requires_synthesis`, wrote a synthesis post.
Hidden posts do not count. A member completes as soon as the rule is met, even while the
club still has meetings ahead, and stays completed whatever is recorded afterwards.

Completing is done once: the member's state becomes completed, one `CreditEntry`
("cohort:<id>") is added with the hours of the meetings attended so far plus the cohort's
reading allowance, `learning.events.cohort_completed` is sent (the district webhooks
follow it), and, when the cohort has a completion badge, credentials is asked (by the
task's dotted name) to award it.

The ledger is never edited. A meeting that a completed member comes to afterwards adds an
entry of its own ("cohort:<id>:meeting:<session id>") with that meeting's hours. Each
attendance row records when its meeting's hours were credited (`Attendance.credited_at`),
so a meeting is credited once however often its mark is recorded again. A mark changed
from present or late to absent after the credit leaves the hours on the transcript; the
attendance page tells the facilitator so.

Call `completion_check(member=...)` (or `completion_check_people`) after attendance is
recorded, after a check-in and after a post; the nightly beat task
(`cohorts_completion_check`) catches the rest.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.jobs import job_enqueue_on_commit
from learning.cohorts.calendar import cohort_zone
from learning.cohorts.permissions import TAKING_PART
from learning.events import cohort_completed
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortSession,
    CreditEntry,
    Post,
)

BADGE_TASK = "credentials.tasks.cohort_badge_award"


@dataclass(frozen=True)
class Progress:
    """Where a member stands against the rule; `met` when everything is done."""

    meetings: int
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
    def met(self) -> bool:
        return self.attendance_met and self.posts_met and self.synthesis_met


def attendance_needed(*, meetings: int, percent: int) -> int:
    """The fewest meetings that make `percent` of `meetings` (rounded up, exact)."""
    return -(-meetings * percent // 100)


def _attended(*, cohort: Cohort, user_id: int) -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        session__cohort=cohort, user_id=user_id, status__in=Attendance.ATTENDED
    )


def progress_get(*, cohort: Cohort, user_id: int) -> Progress:
    meetings = CohortSession.objects.filter(cohort=cohort).count()
    attended = _attended(cohort=cohort, user_id=user_id)
    attended_minutes = list(attended.values_list("session__duration_minutes", flat=True))
    posts = Post.objects.filter(session__cohort=cohort, author_id=user_id, hidden_at__isnull=True)
    return Progress(
        meetings=meetings,
        attended=len(attended_minutes),
        attended_minutes=sum(attended_minutes),
        sessions_posted=len(set(posts.values_list("session_id", flat=True))),
        has_synthesis=posts.filter(is_synthesis=True).exists(),
        attendance_needed=attendance_needed(
            meetings=meetings, percent=cohort.min_attendance_percent
        ),
        sessions_posted_needed=cohort.min_sessions_posted,
        synthesis_needed=cohort.requires_synthesis,
    )


def _hours(minutes: int) -> Decimal:
    return Decimal(minutes) / Decimal(60)


def credit_hours(*, cohort: Cohort, attended_minutes: int) -> Decimal:
    """Meeting hours attended plus the cohort's reading allowance, to a tenth of an hour."""
    return (_hours(attended_minutes) + cohort.reading_hours).quantize(Decimal("0.1"))


def _entry_title(cohort: Cohort) -> str:
    return f"{cohort.title} (book club)" if cohort.book_id else f"{cohort.title} (cohort)"


def _credit_add(**fields) -> CreditEntry:
    try:
        with transaction.atomic():
            return CreditEntry.objects.create(**fields)
    except IntegrityError:  # credited already: the ledger's key makes this idempotent
        return CreditEntry.objects.get(user=fields["user"], source_key=fields["source_key"])


def _uncredited(*, cohort: Cohort, user_id: int) -> list[Attendance]:
    return list(
        _attended(cohort=cohort, user_id=user_id)
        .filter(credited_at__isnull=True)
        .select_related("session")
        .order_by("session__starts_at", "session__number")
    )


def _complete(*, member: CohortMember, now: dt.datetime) -> None:
    """The member met the rule: completed, one ledger entry for the meetings attended so far
    and the reading, and the badge asked for."""
    cohort = member.cohort
    meetings = _uncredited(cohort=cohort, user_id=member.user_id)
    member.state = CohortMember.State.COMPLETED
    member.completed_at = now
    member.state_changed_at = now
    member.save(update_fields=["state", "completed_at", "state_changed_at"])
    _credit_add(
        user=member.user,
        source=CreditEntry.Source.COHORT,
        source_key=f"cohort:{cohort.pk}",
        page_id=cohort.book_id or cohort.pathway_id,
        title=_entry_title(cohort),
        hours=credit_hours(
            cohort=cohort, attended_minutes=sum(a.session.duration_minutes for a in meetings)
        ),
        earned_on=now.astimezone(cohort_zone(cohort)).date(),
    )
    Attendance.objects.filter(pk__in=[a.pk for a in meetings]).update(credited_at=now)
    cohort_completed.send(sender=CohortMember, member=member)
    if cohort.completion_badge_id:
        job_enqueue_on_commit(
            BADGE_TASK,
            member.pk,
            label=f"cohort badge for member {member.pk}",
            dedupe_key=f"cohort-badge:{member.pk}:{now.isoformat()}",
        )


def _later_meetings_credit(*, member: CohortMember, now: dt.datetime) -> int:
    """Meetings a completed member came to that no entry holds yet: one entry each, with
    that meeting's hours on the day it met. Returns how many were credited."""
    cohort = member.cohort
    zone = cohort_zone(cohort)
    meetings = _uncredited(cohort=cohort, user_id=member.user_id)
    for attendance in meetings:
        session = attendance.session
        _credit_add(
            user=member.user,
            source=CreditEntry.Source.COHORT,
            source_key=f"cohort:{cohort.pk}:meeting:{session.pk}",
            page_id=cohort.book_id or cohort.pathway_id,
            title=f"{_entry_title(cohort)}: meeting {session.number}, {session.title}"[:255],
            hours=_hours(session.duration_minutes).quantize(Decimal("0.1")),
            earned_on=session.starts_at.astimezone(zone).date(),
        )
    Attendance.objects.filter(pk__in=[a.pk for a in meetings]).update(credited_at=now)
    return len(meetings)


@transaction.atomic
def completion_check(*, member: CohortMember, now: dt.datetime | None = None) -> bool:
    """Complete the member if the cohort's rule is met, and credit a completed member's
    later meetings. Returns True when this call completed them; False when they are not
    done yet, completed before, or not a member taking part (facilitators do not
    complete)."""
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
        or member.state not in TAKING_PART
        or member.cohort.status == Cohort.Status.CANCELLED
    ):
        return False
    if member.state == CohortMember.State.COMPLETED:
        _later_meetings_credit(member=member, now=now)
        return False
    if not progress_get(cohort=member.cohort, user_id=member.user_id).met:
        return False
    _complete(member=member, now=now)
    return True


def cohorts_completion_check(*, now: dt.datetime | None = None) -> int:
    """Nightly: check every active member of open and finished cohorts, and credit the
    later meetings of completed members that no entry holds yet. Each member is checked
    in a transaction of its own; returns how many completed."""
    now = now or timezone.now()
    running = Cohort.objects.filter(
        district__is_active=True, status__in=[Cohort.Status.OPEN, Cohort.Status.FINISHED]
    )
    owed = Attendance.objects.filter(
        session__cohort=OuterRef("cohort"),
        user=OuterRef("user"),
        status__in=Attendance.ATTENDED,
        credited_at__isnull=True,
    )
    members = CohortMember.objects.filter(cohort__in=running, role=CohortMember.Role.MEMBER).filter(
        Q(state=CohortMember.State.ACTIVE) | Q(Exists(owed), state=CohortMember.State.COMPLETED)
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
        state__in=TAKING_PART,
    )
    return sum(completion_check(member=member, now=now) for member in members)
