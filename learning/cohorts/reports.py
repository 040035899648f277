"""The district's view of its cohorts: participation per cohort and, as CSV, attendance and
hours per member. Each costs a fixed number of queries whatever the number of members."""

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from cms.spreadsheets import spreadsheet_safe
from learning.cohorts.permissions import TAKING_PART
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortSession,
    CreditEntry,
    District,
    Post,
)

ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE]


def _count(queryset: QuerySet) -> Subquery:
    """A correlated COUNT(*) of `queryset` (already filtered by OuterRef)."""
    counted = queryset.order_by().annotate(_one=Value(1)).values("_one")
    counted = counted.annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class CohortParticipation:
    cohort: Cohort
    members: int
    completed: int
    meetings_held: int
    meetings: int
    attended: int
    posts: int

    @property
    def attendance_percent(self) -> int | None:
        """Attended places as a share of the places there were (members × meetings held)."""
        possible = self.members * self.meetings_held
        return round(100 * self.attended / possible) if possible else None


def cohort_participation_list(
    *, district: District, now: dt.datetime | None = None
) -> list[CohortParticipation]:
    """Every cohort of the district (newest first) with its participation: one query."""
    now = now or timezone.now()
    members = CohortMember.objects.filter(
        cohort=OuterRef("pk"), role=CohortMember.Role.MEMBER, state__in=TAKING_PART
    )
    cohorts = (
        Cohort.objects.filter(district=district)
        .select_related("book", "pathway")
        .annotate(
            n_members=_count(members),
            n_completed=_count(members.filter(state=CohortMember.State.COMPLETED)),
            n_meetings=_count(CohortSession.objects.filter(cohort=OuterRef("pk"))),
            n_held=_count(CohortSession.objects.filter(cohort=OuterRef("pk"), starts_at__lte=now)),
            n_attended=_count(
                Attendance.objects.filter(
                    session__cohort=OuterRef("pk"),
                    session__starts_at__lte=now,
                    status__in=ATTENDED,
                    user__cohort_memberships__cohort=OuterRef("pk"),
                    user__cohort_memberships__role=CohortMember.Role.MEMBER,
                    user__cohort_memberships__state__in=TAKING_PART,
                )
            ),
            n_posts=_count(
                Post.objects.filter(session__cohort=OuterRef("pk"), hidden_at__isnull=True)
            ),
        )
        .order_by("-start_date", "title", "pk")
    )
    return [
        CohortParticipation(
            cohort=cohort,
            members=cohort.n_members,
            completed=cohort.n_completed,
            meetings_held=cohort.n_held,
            meetings=cohort.n_meetings,
            attended=cohort.n_attended,
            posts=cohort.n_posts,
        )
        for cohort in cohorts
    ]


CSV_COLUMNS = [
    "Cohort",
    "Book or pathway",
    "Name",
    "E-mail",
    "Role",
    "State",
    "Meetings held",
    "Present",
    "Late",
    "Absent",
    "Excused",
    "No record",
    "Meeting hours attended",
    "Sessions posted in",
    "Posts",
    "Completed on",
    "PD hours credited",
]


def participation_member_list(*, district: District, now: dt.datetime | None = None) -> QuerySet:
    """Everyone who has held a place in the district's cohorts (except those only invited,
    asking or waiting), with their attendance, posts and credit: one query."""
    now = now or timezone.now()
    mine = {"session__cohort": OuterRef("cohort_id"), "user": OuterRef("user_id")}
    held = {"session__starts_at__lte": now}

    def attendance(status: str) -> Subquery:
        return _count(Attendance.objects.filter(**mine, **held, status=status))

    minutes = (
        Attendance.objects.filter(**mine, **held, status__in=ATTENDED)
        .order_by()
        .values("user")
        .annotate(total=Sum("session__duration_minutes"))
        .values("total")
    )
    posts = Post.objects.filter(
        session__cohort=OuterRef("cohort_id"), author=OuterRef("user_id"), hidden_at__isnull=True
    )
    sessions_posted = (
        posts.order_by().values("author").annotate(n=Count("session", distinct=True)).values("n")
    )
    # The club's entry ("cohort:<id>") and those of meetings after completing
    # ("cohort:<id>:meeting:<session id>").
    club_key = Concat(Value("cohort:"), Cast(OuterRef("cohort_id"), CharField()))
    credit = (
        CreditEntry.objects.filter(
            user=OuterRef("user_id"), source=CreditEntry.Source.COHORT, voided_at__isnull=True
        )
        .filter(
            Q(source_key=club_key) | Q(source_key__startswith=Concat(club_key, Value(":meeting:")))
        )
        .order_by()
        .values("user")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return (
        CohortMember.objects.filter(cohort__district=district)
        .filter(Q(state__in=TAKING_PART) | Q(state=CohortMember.State.LEFT))
        .select_related("cohort__book", "cohort__pathway", "user")
        .annotate(
            meetings_held=_count(
                CohortSession.objects.filter(cohort=OuterRef("cohort_id"), starts_at__lte=now)
            ),
            present=attendance(Attendance.Status.PRESENT),
            late=attendance(Attendance.Status.LATE),
            absent=attendance(Attendance.Status.ABSENT),
            excused=attendance(Attendance.Status.EXCUSED),
            minutes_attended=Coalesce(Subquery(minutes, output_field=IntegerField()), 0),
            n_posts=_count(posts),
            n_sessions_posted=Coalesce(Subquery(sessions_posted, output_field=IntegerField()), 0),
            hours_credited=Subquery(credit),
        )
        .order_by("-cohort__start_date", "cohort__title", "cohort_id", "role", "user__display_name")
    )


# Reading a row of `participation_member_list` (the final report reads them too).


def meeting_hours(member: CohortMember) -> Decimal:
    """Hours of the meetings they attended, to a tenth."""
    return (Decimal(member.minutes_attended) / Decimal(60)).quantize(Decimal("0.1"))


def meetings_not_recorded(member: CohortMember) -> int:
    """Meetings held with no attendance record for them."""
    recorded = member.present + member.late + member.absent + member.excused
    return max(member.meetings_held - recorded, 0)


def hours_cell(value) -> str:
    """Hours for a CSV cell: "4.5", "6", or empty for none."""
    return "" if value is None else f"{Decimal(value).normalize():f}"


def completed_on_cell(member: CohortMember) -> str:
    """The local date they completed, for a CSV cell; empty when they have not."""
    return timezone.localtime(member.completed_at).date().isoformat() if member.completed_at else ""


def participation_csv_write(*, district: District, out, now: dt.datetime | None = None) -> int:
    """Write the per-member CSV to `out` (a file or an HttpResponse); returns the rows.
    Every cell is written so a spreadsheet cannot take it for a formula."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for member in participation_member_list(district=district, now=now):
        cohort = member.cohort
        source = cohort.book or cohort.pathway
        row = [
            cohort.title,
            source.title if source else "",
            member.user.display_name,
            member.user.email,
            member.get_role_display(),
            member.get_state_display(),
            member.meetings_held,
            member.present,
            member.late,
            member.absent,
            member.excused,
            meetings_not_recorded(member),
            hours_cell(meeting_hours(member)),
            member.n_sessions_posted,
            member.n_posts,
            completed_on_cell(member),
            hours_cell(member.hours_credited),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        rows += 1
    return rows
