"""Reads for lead reviewers: queue, turnaround, pass rates and reviewer agreement over the
micro-credentials their pools cover. Each report costs the same handful of queries however
much work there is, and on PostgreSQL the same few rows: counts and percentiles are
aggregated in the database, from indexes alone, and double-review agreement is summed from
the tallies written as reviews complete (`credentials.double_review`)."""

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    Max,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from wagtail.models import Page

from accounts.models import User
from cms.numbers import percent_text, places_text
from credentials.agreement import Agreement, agreement, agreement_counted
from credentials.double_review import KIND_FIELDS
from credentials.models import (
    AttemptAllowance,
    DistrictDecisionYear,
    DoubleReviewTally,
    PoolMember,
    Review,
    ReviewerPool,
    Submission,
    covered_by,
)
from credentials.selectors.review import calibration_agreement_map
from learning.api import dashboard_figure

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile (0.5 = median) by linear interpolation between the closest
    ranks, as PostgreSQL's percentile_cont does. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


@dataclass(frozen=True)
class Turnaround:
    decided: int
    median_days: float | None
    p90_days: float | None


def turnaround_of(durations: Sequence[float]) -> Turnaround:
    return Turnaround(len(durations), percentile(durations, 0.5), percentile(durations, 0.9))


@dataclass(frozen=True)
class PassRate:
    micro_credential_id: int
    title: str
    decided: int
    earned: int
    first_decided: int
    first_earned: int
    median_days: float | None

    @property
    def percent(self) -> float | None:
        return round(100 * self.earned / self.decided, 1) if self.decided else None

    @property
    def first_percent(self) -> float | None:
        return (
            round(100 * self.first_earned / self.first_decided, 1) if self.first_decided else None
        )

    @property
    def cells(self) -> tuple[str, ...]:
        """The table's numbers as text: decided, earned, pass rate, first attempts earned,
        first-attempt pass rate, median days (`cms.numbers`, as the template would)."""
        return (
            str(self.decided),
            str(self.earned),
            percent_text(self.percent),
            f"{self.first_earned} of {self.first_decided}",
            percent_text(self.first_percent),
            places_text(self.median_days, 1),
        )


@dataclass(frozen=True)
class ReviewerRow:
    member: PoolMember  # with_calibration(): exemplars_scored, exemplars_total, is_calibrated
    calibration: Agreement
    double_reviewed: int
    double: Agreement

    @property
    def exemplars_scored(self) -> int:
        return self.member.exemplars_scored

    @property
    def exemplars_total(self) -> int:
        return self.member.exemplars_total

    @property
    def meets_bar(self) -> bool:
        return self.calibration.meets(settings.LEAP_CALIBRATION_BAR)

    @property
    def cells(self) -> tuple[str, ...]:
        """The table's numbers as text: exemplars scored, calibration agreement and kappa,
        double-reviewed, double-review agreement and kappa."""
        return (
            f"{self.exemplars_scored} of {self.exemplars_total}",
            percent_text(self.calibration.percent),
            places_text(self.calibration.kappa, 2),
            str(self.double_reviewed),
            percent_text(self.double.percent),
            places_text(self.double.kappa, 2),
        )


@dataclass
class Report:
    pools: list[ReviewerPool]
    days: int
    since: datetime
    queue: int = 0
    waiting: int = 0
    overdue: int = 0
    turnaround: Turnaround = field(default_factory=lambda: turnaround_of([]))
    pass_rates: list[PassRate] = field(default_factory=list)
    reviewers: list[ReviewerRow] = field(default_factory=list)


class _DaysBetween(Func):
    """The days (a float) from the second datetime to the first, worked out by the
    database: a report over thousands of decisions then loads one float a row instead of
    parsing two timestamps."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, **extra_context)
        return f"{sql}::float8", params


def _covers_everything(pools: Sequence[ReviewerPool]) -> bool:
    """A pool with no micro-credential covers them all: every submission (and so every
    review) is in scope, and filtering on it only makes the database join for nothing."""
    return any(pool.micro_credential_id is None for pool in pools)


# What the queue's and the decisions' counts count: a column their covering indexes hold
# (never empty), so PostgreSQL answers from the index without reading the rows.
_ROWS = "state"


def _queue(pools: Sequence[ReviewerPool], scope: Q, now: datetime) -> dict:
    counts = (
        Submission.objects.in_queue()
        .filter(scope)
        .aggregate(
            queue=Count(_ROWS), waiting=Count(_ROWS, filter=Q(state=Submission.State.SUBMITTED))
        )
    )
    overdue = Review.objects.filter(state=Review.State.ASSIGNED, due_at__lt=now)
    if not _covers_everything(pools):
        overdue = overdue.filter(covered_by(pools, through="submission__"))
    counts["overdue"] = overdue.count()
    return counts


def _decided(scope: Q, since: datetime) -> tuple[Turnaround, list[PassRate]]:
    """Turnaround and pass rates over the period's decisions, the days each waited worked
    out by the database, in one query. On PostgreSQL every figure, the percentiles too, is an
    aggregate: a report over a national programme's 25,000 decisions loads one row per
    micro-credential and one for them all. Elsewhere (SQLite, in development) the decisions
    come in one flat list and the counts and percentiles are worked out here, the same way."""
    decided = (
        Submission.objects.decided()
        .filter(scope, decided_at__gte=since, submitted_at__isnull=False)
        .order_by()
    )
    earned = Q(state=Submission.State.EARNED)
    first = Q(attempt=1)
    counts = {
        "decided": Count(_ROWS),
        "earned": Count(_ROWS, filter=earned),
        "first_decided": Count(_ROWS, filter=first),
        "first_earned": Count(_ROWS, filter=first & earned),
    }
    days = _DaysBetween("decided_at", "submitted_at")
    if connection.vendor == "postgresql":
        # Per micro-credential and over all of them in one pass over the decisions: the
        # total is the row with no micro-credential (every submission has one).
        grouped = decided.values("micro_credential_id").annotate(
            **counts,
            median_days=_Percentile(days, fraction=0.5),
            p90_days=_Percentile(days, fraction=0.9),
        )
        rows, turnaround = [], Turnaround(0, None, None)
        for row in _with_total(grouped):
            p90 = row.pop("p90_days")
            if row["micro_credential_id"] is None:
                turnaround = Turnaround(row["decided"], row["median_days"], p90)
            else:
                rows.append(row)
    else:
        durations: dict[int, list[float]] = defaultdict(list)
        tallies: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(counts, 0))
        earned_state = Submission.State.EARNED
        for page_id, state, attempt, waited in decided.values_list(
            "micro_credential_id", "state", "attempt", days
        ):
            durations[page_id].append(waited)
            tally = tallies[page_id]
            tally["decided"] += 1
            tally["earned"] += state == earned_state
            tally["first_decided"] += attempt == 1
            tally["first_earned"] += attempt == 1 and state == earned_state
        rows = [
            {
                "micro_credential_id": page_id,
                **tally,
                "median_days": percentile(durations[page_id], 0.5),
            }
            for page_id, tally in tallies.items()
        ]
        turnaround = turnaround_of([d for found in durations.values() for d in found])
    titles = dict(
        Page.objects.filter(pk__in=[row["micro_credential_id"] for row in rows]).values_list(
            "pk", "title"
        )
    )
    rates = sorted(
        (PassRate(title=titles.get(row["micro_credential_id"], ""), **row) for row in rows),
        key=lambda rate: (rate.title, rate.micro_credential_id),
    )
    return turnaround, rates


def _with_total(grouped: QuerySet) -> list[dict]:
    """The rows of a `values(key).annotate(...)` query and, in the same pass, one more row
    over all of them with the key empty: the query run with GROUPING SETS ((key), ()).
    PostgreSQL only; Django has no grouping sets, so its GROUP BY is rewritten, and refused
    if it is not the single key at the end this expects. The key must be a column that is
    never empty (the total is told apart by its empty key), and the rows come as the
    database gives them, named by column: keys, counts and numbers, nothing Django would
    convert."""
    try:
        sql, params = grouped.query.get_compiler(using=grouped.db).as_sql()
    except EmptyResultSet:  # a filter no row can pass (`pk__in=[]`): no rows, no total
        return []
    head, found, key = sql.rpartition(" GROUP BY ")
    if not found or not re.fullmatch(r'\d+|"[\w.]+"(\."[\w.]+")?', key):
        raise ValueError(f"Expected one grouping key at the end of: {sql}")
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(f"{head} GROUP BY GROUPING SETS (({key}), ())", params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]


class _Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the `fraction` percentile of an expression over the
    group, interpolated between the closest ranks as `percentile` does."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float):
        super().__init__(expression, fraction=float(fraction))


def _double_review_agreement(
    pools: Sequence[ReviewerPool], since: datetime
) -> dict[int, tuple[int, Agreement]]:
    """Per reviewer: on submissions (submitted in the period) that two reviewers scored, how
    often their score on each criterion matched the other reviewer's. Each completed review
    carries its pairs counted by kind (`DoubleReviewTally`, written as reviews complete), so
    this sums one row a review: 6,800 small rows for the 90 days of a programme of 20,000
    learners, where pairing the period's 330,000 scores again took 280 ms at best."""
    tallies = DoubleReviewTally.objects.filter(submitted_at__gte=since, reviewer__isnull=False)
    if not _covers_everything(pools):
        tallies = tallies.filter(covered_by(pools))
    rows = (
        tallies.order_by()
        .values("reviewer_id")
        .annotate(submissions=Count("pk"), **{c: Sum(c) for c in KIND_FIELDS.values()})
    )
    return {
        row["reviewer_id"]: (
            row["submissions"],
            agreement_counted({kind: row[column] for kind, column in KIND_FIELDS.items()}),
        )
        for row in rows
    }


def _reviewers(pools: list[ReviewerPool], since: datetime) -> list[ReviewerRow]:
    members = list(
        PoolMember.objects.filter(pool__in=pools, is_active=True)
        .with_calibration()
        .select_related("user", "pool")
        .order_by("pool__name", "pool_id", "-is_lead", "user__display_name", "pk")
    )
    calibration = calibration_agreement_map(pools=pools)
    double = _double_review_agreement(pools, since)
    none = (0, agreement([]))
    return [
        ReviewerRow(
            member=member,
            calibration=calibration.get((member.pool_id, member.user_id), none[1]),
            double_reviewed=double.get(member.user_id, none)[0],
            double=double.get(member.user_id, none)[1],
        )
        for member in members
    ]


def report_get(
    *, pools: Sequence[ReviewerPool], days: int = DEFAULT_PERIOD, now: datetime | None = None
) -> Report:
    """The lead's report over these pools: the queue now, and decisions, turnaround and
    agreement over the last `days` days."""
    now = now or timezone.now()
    pools = list(pools)
    since = now - timedelta(days=days)
    report = Report(pools=pools, days=days, since=since)
    if not pools:
        return report
    scope = covered_by(pools)
    queue = _queue(pools, scope, now)
    report.queue, report.waiting, report.overdue = (
        queue["queue"],
        queue["waiting"],
        queue["overdue"],
    )
    report.turnaround, report.pass_rates = _decided(scope, since)
    report.reviewers = _reviewers(pools, since)
    return report


# Learners who have used every attempt.


@dataclass
class AtLimit:
    """A learner at the attempt limit of one micro-credential. `learner_name` is set only for
    a district admin's own people; leads know the work by its submission numbers."""

    learner_id: int
    micro_credential_id: int
    title: str
    used: int
    allowed: int
    last_decided_at: datetime | None
    latest_submission_id: int
    numbers: list[str] = field(default_factory=list)
    learner_name: str = ""


def at_limit_list(*, scope: Q, named_learners, exclude_user=None) -> list[AtLimit]:
    """Learners (within `scope`, a filter on submissions) who have used all their attempts
    at a micro-credential, have no submission open and have not earned it: the same rule as
    `selectors.evidence.attempts_get(...).left == 0`. `named_learners` is a subquery of user
    ids whose names the viewer may see. Four queries whatever the numbers."""
    counted = Q(state__in=Submission.COUNTED_STATES)
    blocking = Q(state__in=[*Submission.OPEN_STATES, Submission.State.EARNED])
    candidates = Submission.objects.filter(scope)
    if exclude_user is not None:
        candidates = candidates.exclude(learner=exclude_user)
    rows = list(
        candidates.values(
            "learner_id",
            "micro_credential_id",
            "micro_credential__title",
            "micro_credential__attempt_limit",
        )
        .annotate(
            used=Count("pk", filter=counted),
            blocking=Count("pk", filter=blocking),
            last_decided_at=Max("decided_at"),
            latest=Max("pk"),
        )
        # Extra attempts only raise the bar, so this is a superset of who is at the limit.
        .filter(blocking=0, used__gte=F("micro_credential__attempt_limit"))
        .order_by("last_decided_at", "learner_id", "micro_credential_id")
    )
    if not rows:
        return []
    learner_ids = {row["learner_id"] for row in rows}
    page_ids = {row["micro_credential_id"] for row in rows}
    extra = defaultdict(int)
    for learner_id, page_id, n in (
        AttemptAllowance.objects.filter(
            learner_id__in=learner_ids, micro_credential_id__in=page_ids
        )
        .values("learner_id", "micro_credential_id")
        .annotate(n=Count("pk"))
        .values_list("learner_id", "micro_credential_id", "n")
    ):
        extra[(learner_id, page_id)] = n
    found = {}
    for row in rows:
        key = (row["learner_id"], row["micro_credential_id"])
        allowed = row["micro_credential__attempt_limit"] + extra[key]
        if row["used"] >= allowed:
            found[key] = AtLimit(
                learner_id=key[0],
                micro_credential_id=key[1],
                title=row["micro_credential__title"],
                used=row["used"],
                allowed=allowed,
                last_decided_at=row["last_decided_at"],
                latest_submission_id=row["latest"],
            )
    if not found:
        return []
    for submission in (
        Submission.objects.filter(
            counted,
            learner_id__in={k[0] for k in found},
            micro_credential_id__in={k[1] for k in found},
        )
        .order_by("attempt")
        .only("pk", "learner_id", "micro_credential_id")
    ):
        item = found.get((submission.learner_id, submission.micro_credential_id))
        if item is not None:
            item.numbers.append(submission.number)
    names = dict(
        User.objects.filter(pk__in={k[0] for k in found})
        .filter(pk__in=named_learners)
        .values_list("pk", "display_name")
    )
    for item in found.values():
        item.learner_name = names.get(item.learner_id, "")
    return list(found.values())


def review_outcome_figures(*, district, school, role: str, year_start, before, **_) -> list:
    """For the district dashboard: the active members' (of one school or role) submissions
    decided in the school year (earned, not yet) and the average days from submission to
    decision, beside the year before. One query, on the district's decisions per school
    year by school and role (`DistrictDecisionYear`): a row per group and year, whatever
    the district's size."""
    groups = DistrictDecisionYear.objects.filter(
        district_id=district.pk, year_start__in=[before, year_start]
    )
    if school is not None:
        groups = groups.filter(school_id=school.pk)
    if role:
        groups = groups.filter(role=role)
    now, then = Q(year_start=year_start), Q(year_start=before)
    counts = groups.aggregate(
        earned_now=Sum("earned", filter=now),
        earned_then=Sum("earned", filter=then),
        not_yet_now=Sum("not_yet", filter=now),
        not_yet_then=Sum("not_yet", filter=then),
        decided_now=Sum("decided", filter=now),
        decided_then=Sum("decided", filter=then),
        waited_now=Sum("waited_seconds", filter=now),
        waited_then=Sum("waited_seconds", filter=then),
    )

    def days(waited, decided) -> float:
        return round(waited / decided / 86400, 1) if decided else 0.0

    return [
        dashboard_figure(
            "Evidence reviews: earned", counts["earned_now"] or 0, counts["earned_then"] or 0
        ),
        dashboard_figure(
            "Evidence reviews: not yet", counts["not_yet_now"] or 0, counts["not_yet_then"] or 0
        ),
        dashboard_figure(
            "Days from submission to decision (average)",
            days(counts["waited_now"], counts["decided_now"]),
            days(counts["waited_then"], counts["decided_then"]),
            unit="days",
        ),
    ]
