"""A cohort's final report, for its facilitators and its district's admins: attendance,
participation, completion and hours per member, the meetings with the facilitator's
summaries, and what the members said they will change (their synthesis posts). As a page
to print and as CSV. A fixed number of queries whatever the number of members.

Only members are reported on (facilitators run the group, they do not complete it), and
only posts that are not hidden are counted or quoted.
"""

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cms.spreadsheets import spreadsheet_safe
from learning.cohorts.permissions import TAKING_PART
from learning.cohorts.reports import (
    completed_on_cell,
    hours_cell,
    meeting_hours,
    meetings_not_recorded,
    participation_member_list,
)
from learning.models import Cohort, CohortMember, CohortSession, Post

REPORTED = [*TAKING_PART, CohortMember.State.LEFT]


@dataclass
class MemberRow:
    place: CohortMember
    attended: int
    late: int
    absent: int
    excused: int
    not_recorded: int
    meeting_hours: Decimal
    sessions_posted: int
    posts: int
    hours_credited: Decimal | None
    syntheses: list[Post] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.place.state == CohortMember.State.COMPLETED


@dataclass
class FinalReport:
    cohort: Cohort
    facilitators: list[CohortMember]
    sessions: list[CohortSession]
    meetings_held: int
    rows: list[MemberRow]
    syntheses: list[Post]

    @property
    def members(self) -> int:
        return sum(1 for row in self.rows if row.place.state in TAKING_PART)

    @property
    def completed(self) -> int:
        return sum(1 for row in self.rows if row.completed)

    @property
    def posts(self) -> int:
        return sum(row.posts for row in self.rows)

    @property
    def hours_credited(self) -> Decimal:
        return sum((row.hours_credited or Decimal(0) for row in self.rows), Decimal(0))

    @property
    def attendance_percent(self) -> int | None:
        """Meetings attended (present or late) by members taking part, out of the places
        there were (those members × meetings held)."""
        taking_part = [row for row in self.rows if row.place.state in TAKING_PART]
        possible = len(taking_part) * self.meetings_held
        attended = sum(row.attended for row in taking_part)
        return round(100 * attended / possible) if possible else None


def final_report_get(*, cohort: Cohort, now: dt.datetime | None = None) -> FinalReport:
    """Four queries: the sessions, the facilitators, the members with their numbers, and
    the members' synthesis posts."""
    now = now or timezone.now()
    sessions = list(CohortSession.objects.filter(cohort=cohort).order_by("starts_at", "number"))
    facilitators = list(
        CohortMember.objects.filter(
            cohort=cohort, role=CohortMember.Role.FACILITATOR, state__in=TAKING_PART
        )
        .select_related("user")
        .order_by("user__display_name", "pk")
    )
    places = participation_member_list(district=cohort.district, now=now).filter(
        cohort=cohort, role=CohortMember.Role.MEMBER
    )
    syntheses = list(
        Post.objects.filter(
            session__cohort=cohort,
            is_synthesis=True,
            hidden_at__isnull=True,
            author__cohort_memberships__cohort=cohort,
            author__cohort_memberships__role=CohortMember.Role.MEMBER,
            author__cohort_memberships__state__in=REPORTED,
        )
        .select_related("author", "session")
        .order_by("created_at", "pk")
    )
    by_author: dict[int, list[Post]] = {}
    for post in syntheses:
        by_author.setdefault(post.author_id, []).append(post)
    rows = []
    for place in places:
        rows.append(
            MemberRow(
                place=place,
                attended=place.present + place.late,
                late=place.late,
                absent=place.absent,
                excused=place.excused,
                not_recorded=meetings_not_recorded(place),
                meeting_hours=meeting_hours(place),
                sessions_posted=place.n_sessions_posted,
                posts=place.n_posts,
                hours_credited=place.hours_credited,
                syntheses=by_author.get(place.user_id, []),
            )
        )
    rows.sort(key=lambda row: (row.place.user.display_name or row.place.user.email).lower())
    held = sum(1 for s in sessions if s.starts_at <= now)
    return FinalReport(
        cohort=cohort,
        facilitators=facilitators,
        sessions=sessions,
        meetings_held=held,
        rows=rows,
        syntheses=syntheses,
    )


CSV_COLUMNS = [
    "Name",
    "E-mail",
    "State",
    "Meetings held",
    "Attended (present or late)",
    "Of which late",
    "Absent",
    "Excused",
    "No record",
    "Meeting hours attended",
    "Sessions posted in",
    "Posts",
    "Completed on",
    "PD hours credited",
    "What they will change",
]


def final_report_csv_write(*, report: FinalReport, out) -> int:
    """One row per member; every cell written so a spreadsheet cannot take it for a
    formula. Returns the number of member rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        place = row.place
        cells = [
            place.user.display_name,
            place.user.email,
            place.get_state_display(),
            report.meetings_held,
            row.attended,
            row.late,
            row.absent,
            row.excused,
            row.not_recorded,
            hours_cell(row.meeting_hours),
            row.sessions_posted,
            row.posts,
            completed_on_cell(place),
            hours_cell(row.hours_credited),
            "\n\n".join(post.body for post in row.syntheses),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return len(report.rows)
