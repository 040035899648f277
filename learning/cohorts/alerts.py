"""The cohort alerts besides the meeting reminders (reminders.py), run by Celery beat:

- a nudge to members who have not posted in the coming meeting's discussion, a day before
  the meeting at its own local clock time (`cohorts_nudge_quiet_members`);
- an alert to the facilitators when a member misses two meetings in a row
  (`cohorts_alert_missed_meetings`);
- a weekly digest to the facilitators, Monday 8 am in the cohort's zone
  (`cohorts_send_weekly_digests`).

A meeting counts as missed when the member was marked absent, or when nothing was recorded
for them a day after it ended (the facilitator has had a day to take attendance). Excused,
present and late are not missed. Meetings before the member joined do not count.

Like the reminders, each alert goes once per person and occasion: a `ReminderSent` row is
claimed in the same transaction as the notice and its e-mail (queued on commit). All are
non-essential, so each person's e-mail choice (immediate, digest, none) applies.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import notify
from learning.cohorts.calendar import cohort_zone
from learning.cohorts.permissions import TAKING_PART
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortSession,
    Post,
    ReminderSent,
    Rsvp,
)

NO_POST = "no-post"
MISSED_TWO = "missed-two"
WEEKLY = "facilitator-weekly"
# Attendance not recorded this long after a meeting ended counts as missed.
ATTENDANCE_GRACE = dt.timedelta(days=1)
WEEKLY_WEEKDAY = 0  # Monday
WEEKLY_TIME = dt.time(8, 0)
MISSED = "missed"


def _claim(*, kind: str, key: str, user: User) -> bool:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=key, user=user)
    except IntegrityError:  # sent already (or being sent by another run)
        return False
    return True


def _open_cohorts():
    return Cohort.objects.filter(status=Cohort.Status.OPEN, district__is_active=True)


def _people(cohort_ids, role: str, states=(CohortMember.State.ACTIVE,)):
    """Active people by default: members who completed are not chased about posts or
    missed meetings."""
    return (
        CohortMember.objects.filter(cohort_id__in=cohort_ids, state__in=states, role=role)
        .select_related("user")
        .order_by("pk")
    )


def _ended(session: CohortSession) -> dt.datetime:
    return session.starts_at + dt.timedelta(minutes=session.duration_minutes)


# The nudge.


def nudge_due_at(*, session: CohortSession) -> dt.datetime:
    """A day before the meeting on the cohort's wall clock (7 pm stays 7 pm across DST)."""
    local = session.starts_at.astimezone(cohort_zone(session.cohort))
    return (local - dt.timedelta(days=1)).astimezone(dt.UTC)


def cohorts_nudge_quiet_members(*, now: dt.datetime | None = None) -> int:
    """Beat, every quarter hour: from a day before each meeting until it starts, members
    who have not yet posted in its discussion are nudged, once. Returns how many."""
    now = now or timezone.now()
    sessions = [
        session
        for session in CohortSession.objects.filter(
            cohort__in=_open_cohorts(), starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=2)
        ).select_related("cohort")
        if now >= nudge_due_at(session=session)
    ]
    sent = 0
    for session in sessions:
        key = f"session:{session.pk}"
        quiet = (
            _people([session.cohort_id], CohortMember.Role.MEMBER)
            .exclude(user__in=Post.objects.filter(session=session).values("author"))
            .exclude(user__in=ReminderSent.objects.filter(kind=NO_POST, key=key).values("user"))
        )
        for member in quiet:
            with transaction.atomic():
                if _claim(kind=NO_POST, key=key, user=member.user):
                    _nudge(session=session, user=member.user)
                    sent += 1
    return sent


def _nudge(*, session: CohortSession, user: User) -> None:
    cohort = session.cohort
    discussion = reverse("cohort_participation:discussion", args=[cohort.pk, session.pk])
    notify(
        user=user,
        message=f"{cohort.title} meets tomorrow: share a thought on “{session.title}” first.",
        url=discussion,
        email_template="learning/email/cohort_discussion_nudge",
        context={"cohort": cohort, "session": session, "prompts": session.prompts},
        essential=False,
    )


# Two missed meetings in a row.


def _settled_sessions(cohort_ids, now: dt.datetime) -> dict[int, list[CohortSession]]:
    """Each cohort's meetings whose attendance is settled (ended a day ago or more), in
    order."""
    by_cohort = defaultdict(list)
    for session in CohortSession.objects.filter(
        cohort_id__in=cohort_ids, starts_at__lt=now - ATTENDANCE_GRACE
    ).order_by("cohort_id", "starts_at", "pk"):
        if _ended(session) + ATTENDANCE_GRACE <= now:
            by_cohort[session.cohort_id].append(session)
    return by_cohort


def _statuses(sessions: list[CohortSession]) -> dict[tuple[int, int], str]:
    """(session id, user id) → attendance status, for the given sessions."""
    return {
        (row["session_id"], row["user_id"]): row["status"]
        for row in Attendance.objects.filter(session__in=sessions).values(
            "session_id", "user_id", "status"
        )
    }


def _outcome(session: CohortSession, member: CohortMember, statuses) -> str | None:
    """ "missed", another status, or None when the meeting was before the member joined."""
    if member.joined_at and session.starts_at < member.joined_at:
        return None
    status = statuses.get((session.pk, member.user_id))
    if status is None or status == Attendance.Status.ABSENT:
        return MISSED
    return status


def cohorts_alert_missed_meetings(*, now: dt.datetime | None = None) -> int:
    """Beat, hourly: when a member's two latest settled meetings are both missed (and the
    one before was not: a third miss in the same run does not alert again), each
    facilitator is told once. Returns how many alerts went out."""
    now = now or timezone.now()
    cohorts = {cohort.pk: cohort for cohort in _open_cohorts()}
    by_cohort = _settled_sessions(cohorts, now)
    recent = {pk: sessions[-3:] for pk, sessions in by_cohort.items() if len(sessions) >= 2}
    if not recent:
        return 0
    statuses = _statuses([s for sessions in recent.values() for s in sessions])
    facilitators = defaultdict(list)
    for facilitator in _people(recent, CohortMember.Role.FACILITATOR):
        facilitators[facilitator.cohort_id].append(facilitator.user)
    sent = 0
    for member in _people(recent, CohortMember.Role.MEMBER):
        sessions = recent[member.cohort_id]
        *before, previous, last = sessions
        if _outcome(previous, member, statuses) != MISSED:
            continue
        if _outcome(last, member, statuses) != MISSED:
            continue
        if before and _outcome(before[0], member, statuses) == MISSED:
            continue  # the streak began earlier and was alerted then
        key = f"session:{last.pk}:member:{member.user_id}"
        for facilitator in facilitators[member.cohort_id]:
            with transaction.atomic():
                if _claim(kind=MISSED_TWO, key=key, user=facilitator):
                    _missed_alert(
                        cohort=cohorts[member.cohort_id],
                        sessions=(previous, last),
                        member=member,
                        facilitator=facilitator,
                    )
                    sent += 1
    return sent


def _missed_alert(*, cohort, sessions, member: CohortMember, facilitator: User) -> None:
    name = member.user.display_name or member.user.email
    notify(
        user=facilitator,
        message=f"{name} has missed two meetings in a row of {cohort.title}.",
        url=reverse("cohort_participation:roster", args=[cohort.pk]),
        email_template="learning/email/cohort_missed_meetings",
        context={"cohort": cohort, "sessions": sessions, "member_name": name},
        essential=False,
    )


# The facilitators' weekly digest.


def weekly_digest_due_at(*, cohort: Cohort, now: dt.datetime) -> dt.datetime:
    """This week's digest time: Monday 8 am on the cohort's clock, in UTC."""
    zone = cohort_zone(cohort)
    today = now.astimezone(zone).date()
    monday = today - dt.timedelta(days=(today.weekday() - WEEKLY_WEEKDAY) % 7)
    return dt.datetime.combine(monday, WEEKLY_TIME, tzinfo=zone).astimezone(dt.UTC)


def cohorts_send_weekly_digests(*, now: dt.datetime | None = None) -> int:
    """Beat, every quarter hour: once a week per cohort and facilitator, from Monday 8 am
    in the cohort's zone, a summary of the past week and the coming one. Cohorts with no
    meeting in either week are left alone. Returns how many digests went out."""
    now = now or timezone.now()
    sent = 0
    for cohort in _open_cohorts().order_by("pk"):
        due = weekly_digest_due_at(cohort=cohort, now=now)
        if now < due:
            continue
        key = f"cohort:{cohort.pk}:week:{due.astimezone(cohort_zone(cohort)).date():%Y-%m-%d}"
        waiting = list(
            _people([cohort.pk], CohortMember.Role.FACILITATOR).exclude(
                user__in=ReminderSent.objects.filter(kind=WEEKLY, key=key).values("user")
            )
        )
        if not waiting:
            continue
        summary = weekly_summary(cohort=cohort, week_starts=due, now=now)
        if not summary["held"] and not summary["coming"]:
            continue
        for facilitator in waiting:
            with transaction.atomic():
                if _claim(kind=WEEKLY, key=key, user=facilitator.user):
                    notify(
                        user=facilitator.user,
                        message=f"Your weekly summary of {cohort.title} is ready.",
                        url=reverse("cohort_participation:roster", args=[cohort.pk]),
                        email_template="learning/email/cohort_facilitator_weekly",
                        context={"cohort": cohort, **summary},
                        essential=False,
                    )
                    sent += 1
    return sent


def weekly_summary(*, cohort: Cohort, week_starts: dt.datetime, now: dt.datetime) -> dict:
    """What the digest says: meetings held in the past week with their attendance, posts
    in the past week, the coming week's meetings with their RSVPs, and who is behind
    (attendance so far below the cohort's bar, or no post in the last meeting held)."""
    week_ago, week_on = week_starts - dt.timedelta(days=7), week_starts + dt.timedelta(days=7)
    sessions = list(cohort.sessions.order_by("starts_at", "pk"))
    # Everyone taking part counts in the meetings' figures; who completed is never behind.
    members = list(_people([cohort.pk], CohortMember.Role.MEMBER, TAKING_PART))
    statuses = _statuses([s for s in sessions if s.starts_at < week_starts])

    held = []
    for session in sessions:
        if week_ago <= session.starts_at < week_starts:
            counts = defaultdict(int)
            for member in members:
                counts[statuses.get((session.pk, member.user_id), "not_recorded")] += 1
            held.append({"session": session, **counts})

    coming = []
    answers = (
        Rsvp.objects.filter(session__cohort=cohort, session__starts_at__gte=week_starts)
        .values("session_id")
        .annotate(
            going=Count("pk", filter=Q(answer=Rsvp.Answer.GOING)),
            not_going=Count("pk", filter=Q(answer=Rsvp.Answer.NOT_GOING)),
        )
    )
    answers = {row["session_id"]: row for row in answers}
    for session in sessions:
        if week_starts <= session.starts_at < week_on:
            row = answers.get(session.pk, {"going": 0, "not_going": 0})
            no_answer = max(len(members) - row["going"] - row["not_going"], 0)
            coming.append(
                {
                    "session": session,
                    "going": row["going"],
                    "not_going": row["not_going"],
                    "no_answer": no_answer,
                }
            )

    posts = Post.objects.filter(
        session__cohort=cohort, created_at__gte=week_ago, created_at__lt=week_starts
    ).count()

    settled = [s for s in sessions if _ended(s) + ATTENDANCE_GRACE <= now]
    last = settled[-1] if settled else None
    posted_last = (
        set(Post.objects.filter(session=last).values_list("author_id", flat=True))
        if last
        else set()
    )
    behind = []
    for member in members:
        if member.state == CohortMember.State.COMPLETED:
            continue
        outcomes = [_outcome(s, member, statuses) for s in settled]
        counted = [o for o in outcomes if o not in (None, Attendance.Status.EXCUSED)]
        reasons = []
        if counted:
            attended = sum(o != MISSED for o in counted)
            if attended * 100 < cohort.min_attendance_percent * len(counted):
                reasons.append(f"at {attended} of {len(counted)} meetings so far")
        if (
            last
            and _outcome(last, member, statuses) is not None
            and (member.user_id not in posted_last)
        ):
            reasons.append(f"no post yet on “{last.title}”")
        if reasons:
            behind.append(
                {"name": member.user.display_name or member.user.email, "reasons": reasons}
            )

    zone = cohort_zone(cohort)
    return {
        "held": held,
        "coming": coming,
        "posts": posts,
        "behind": behind,
        "week_label": f"{week_starts.astimezone(zone):%-d %B}",
        "roster_url": settings.SITE_URL + reverse("cohort_participation:roster", args=[cohort.pk]),
    }
