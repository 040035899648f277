"""District insights, aggregates only, counted in the database (a fixed number of queries,
whatever the district's size):
- the coverage of a framework: for each element, how many members' latest self-assessment
  put them at each level, how many badges they earned aligned to it, and what in the
  catalogue addresses it;
- the dashboard: the district's activity in a school year beside the year before;
- PD goals: how many of the people each goal applies to have met it, are on track or are
  behind;
- the district rating itself against a system framework: its rounds side by side, and the
  learning that addresses the elements it rates lowest."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from wagtail.models import Page

from accounts.selectors import day_start
from cms.models import (
    Framework,
    FrameworkElement,
    MicroCredentialAlignment,
)
from cms.selectors import aligned_content_by_element
from learning.models import (
    ActivityYear,
    Attendance,
    Cohort,
    District,
    DistrictActivityYear,
    DistrictBadgeCount,
    InstitutionalAssessment,
    InstitutionalRating,
    Membership,
    PDGoal,
    Rating,
    School,
    SelfAssessment,
)
from learning.selectors import level_list, school_year_label, school_year_start

# Below this many people a cell's distribution is not shown: with two or three people
# behind it, a level would say how a named colleague rated themselves.
SMALLEST_GROUP = 5


@dataclass(kw_only=True)
class LevelCounts:
    """How many people are at each level, shown only for a group of SMALLEST_GROUP or more."""

    counts: list[int]  # members at each level, LEVEL_MIN first
    first_level: int = 0  # the level counts[0] is for

    @property
    def rated(self) -> int:
        return sum(self.counts)

    @property
    def shown(self) -> bool:
        return self.rated >= SMALLEST_GROUP

    @property
    def below_established(self) -> int:
        """Members at the first two levels: who would gain from professional learning."""
        return sum(self.counts[:2])

    @property
    def established_percent(self) -> int:
        """The share at the third level (Established) or above."""
        return round(100 * (self.rated - self.below_established) / (self.rated or 1))

    @property
    def cells(self) -> list[dict]:
        """Each level's count and share, for the table, the heatmap's shading and the
        comparison's bar (`start` is where the level's part of the bar begins)."""
        rated = self.rated or 1
        cells, start = [], 0.0
        for position, count in enumerate(self.counts):
            share = 100 * count / rated
            cells.append(
                {
                    "level": self.first_level + position,
                    "count": count,
                    "percent": round(share),
                    "band": min(4, 5 * count // rated),
                    "start": f"{start:.2f}",
                    "width": f"{share:.2f}",
                }
            )
            start += share
        return cells


@dataclass(kw_only=True)
class ElementCoverage(LevelCounts):
    element: FrameworkElement
    badges: int = 0
    resources: list = field(default_factory=list)  # pages that address it, by kind


@dataclass
class CoverageGroup:
    """A school or a role the heatmap compares, with its number of active members."""

    label: str
    members: int = 0


@dataclass
class ComparedElement:
    element: FrameworkElement
    groups: list[LevelCounts]  # one per group of the comparison, in its order


@dataclass
class CoverageComparison:
    by: str  # "school" or "role"
    groups: list[CoverageGroup]
    rows: list[ComparedElement]


@dataclass
class Coverage:
    district: District
    framework: Framework
    levels: list
    members: int
    assessed: int
    elements: list[ElementCoverage]
    smallest_group: int = SMALLEST_GROUP
    comparison: CoverageComparison | None = None  # by school or role, when asked for

    @property
    def established(self):
        """The third level (Established): a comparison gives the share at it or above."""
        return self.levels[2]


def coverage_framework_list() -> QuerySet[Framework]:
    return Framework.objects.live().order_by("sort_order", "name")


def coverage_members(*, district: District, school: School | None, role: str) -> QuerySet:
    members = Membership.objects.filter(district=district, is_active=True)
    if school is not None:
        members = members.filter(school=school)
    if role:
        members = members.filter(role=role)
    return members


def coverage_member_ids(*, district: District, school: School | None, role: str) -> QuerySet:
    return coverage_members(district=district, school=school, role=role).values("user_id")


def latest_takes(*, framework: Framework, member_ids) -> QuerySet[SelfAssessment]:
    """Each member's latest finished take on the framework: one with no later finished take
    of theirs (a later take replaces an earlier one)."""
    later = SelfAssessment.objects.filter(
        user=OuterRef("user"), framework=framework, completed_at__gt=OuterRef("completed_at")
    )
    return SelfAssessment.objects.filter(
        framework=framework, completed_at__isnull=False, user__in=member_ids
    ).exclude(Exists(later))


def coverage_get(
    *,
    district: District,
    framework: Framework,
    school: School | None = None,
    role: str = "",
    compare: str = "",
) -> Coverage:
    """The district's coverage of the framework, for its active members (of one school or
    role, when given), and, with `compare` ("school" or "role"), each element's levels per
    school or role. Ten queries; two more to compare roles, three to compare schools."""
    group = {"district": district, "school": school, "role": role}
    member_ids = coverage_member_ids(**group)
    levels = level_list()
    elements = list(
        FrameworkElement.objects.filter(framework=framework, live=True, is_assessed=True)
        .select_related("category")
        .order_by("category__sort_order", "sort_order", "code")
    )
    latest = latest_takes(framework=framework, member_ids=member_ids)
    distribution = (
        Rating.objects.filter(assessment__in=latest.values("pk"))
        .values_list("element_id", "level")
        .annotate(people=Count("pk"))
    )
    counts: dict[int, list[int]] = {e.pk: [0] * len(levels) for e in elements}
    index = {level.value: position for position, level in enumerate(levels)}
    for element_id, level, people in distribution:
        if element_id in counts and level in index:
            counts[element_id][index[level]] += people
    first = levels[0].value if levels else 0
    coverage = {
        e.pk: ElementCoverage(element=e, counts=counts[e.pk], first_level=first) for e in elements
    }
    _badges(coverage, framework, district_groups(DistrictBadgeCount, **group))
    _resources(coverage, framework)
    comparison = None
    if compare:
        comparison = _comparison(
            by=compare,
            district=district,
            school=school,
            role=role,
            latest=latest,
            elements=elements,
            levels=levels,
        )
    return Coverage(
        district=district,
        framework=framework,
        levels=levels,
        members=member_ids.count(),
        assessed=latest.values("user").distinct().count(),
        elements=list(coverage.values()),
        comparison=comparison,
    )


COMPARE_BY = ("school", "role")


def _comparison(
    *,
    by: str,
    district: District,
    school: School | None,
    role: str,
    latest: QuerySet,
    elements: list,
    levels: list,
) -> CoverageComparison:
    """Each element's levels per school (each of the district's, and "No school" when
    members have none) or per role, from the members' latest takes: one GROUP BY query, one
    for the groups' sizes and, by school, one for the schools."""
    if by not in COMPARE_BY:
        raise ValueError(f"Compare by school or role, not {by!r}.")
    members = coverage_members(district=district, school=school, role=role)
    sizes = dict(members.values_list(by).annotate(people=Count("pk")).values_list(by, "people"))
    if by == "school":
        schools = district.schools.order_by("name")
        if school is not None:
            schools = schools.filter(pk=school.pk)
        keys = [(each.pk, each.name) for each in schools]
        if None in sizes:
            keys.append((None, "No school"))
    else:
        keys = [(key, name) for key, name in Membership.Role.choices if key == role or not role]
    # The rater's school or role as a subquery, not a join: SQLite would otherwise walk the
    # district's memberships and look each up in the list of latest takes (seconds at 20,000).
    group = members.filter(user=OuterRef("assessment__user")).order_by().values(by)[:1]
    distribution = (
        Rating.objects.filter(assessment__in=latest.values("pk"))
        .annotate(group=Subquery(group))
        .values_list("element_id", "level", "group")
        .annotate(people=Count("pk"))
    )
    column = {key: position for position, (key, _) in enumerate(keys)}
    index = {level.value: position for position, level in enumerate(levels)}
    counts = {e.pk: [[0] * len(levels) for _ in keys] for e in elements}
    for element_id, level, key, people in distribution:
        if element_id in counts and level in index and key in column:
            counts[element_id][column[key]][index[level]] += people
    first = levels[0].value if levels else 0
    return CoverageComparison(
        by=by,
        groups=[CoverageGroup(label=label, members=sizes.get(key, 0)) for key, label in keys],
        rows=[
            ComparedElement(
                element=e,
                groups=[LevelCounts(counts=group, first_level=first) for group in counts[e.pk]],
            )
            for e in elements
        ],
    )


def _badges(coverage: dict[int, ElementCoverage], framework: Framework, groups) -> None:
    """Badges the members hold (credited, not withdrawn) whose micro-credential is aligned
    to each element, from the rows of their groups (`DistrictBadgeCount`)."""
    earned = MicroCredentialAlignment.objects.filter(element__framework=framework).values_list(
        "element_id", "page_id"
    )
    pages_by_element: dict[int, set[int]] = {}
    for element_id, page_id in earned:
        pages_by_element.setdefault(element_id, set()).add(page_id)
    held = dict(
        groups.filter(page_id__in={p for pages in pages_by_element.values() for p in pages})
        .values_list("page_id")
        .annotate(badges=Sum("badges"))
        .values_list("page_id", "badges")
    )
    for element_id, pages in pages_by_element.items():
        if element_id in coverage:
            coverage[element_id].badges = sum(held.get(page_id, 0) for page_id in pages)


def _resources(coverage: dict[int, ElementCoverage], framework: Framework) -> None:
    """The live pathways, micro-credentials and books aligned to each element: titles and
    links, with no page built."""
    aligned = aligned_content_by_element(
        {"element__framework": framework}, pages=Page.objects.live()
    )
    for element_id, found in aligned.items():
        if element_id in coverage:
            coverage[element_id].resources = [
                (kind, page) for key, kind in RESOURCE_KINDS for page in found.get(key, [])
            ]


RESOURCE_KINDS = (
    ("pathways", "Pathway"),
    ("micro_credentials", "Micro-credential"),
    ("books", "Book"),
)


# ---- The district dashboard: this school year against the one before ----


@dataclass
class Figure:
    """One number on the dashboard, with last year's for the trend."""

    label: str
    now: float
    before: float | None = None
    unit: str = ""

    @property
    def bars(self) -> tuple[int, int]:
        """This year's and last year's bar, as percentages of the larger of the two."""
        largest = max(self.now, self.before or 0) or 1
        return round(100 * self.now / largest), round(100 * (self.before or 0) / largest)

    @property
    def change(self) -> str:
        """The trend in words (never in colour alone)."""
        if self.before is None:
            return ""
        difference = self.now - self.before
        if not difference:
            return "the same as the year before"
        word = "more" if difference > 0 else "fewer"
        amount = abs(difference)
        amount = f"{amount:g}" if isinstance(amount, float) else str(amount)
        return f"{amount} {word} than the year before ({self.before:g})"


# Figures other apps add to the dashboard (credentials: review outcomes), registered when
# they start (`learning.api.dashboard_figures_register`), so learning imports none of them.
# Each is called with the district, school (or None) and role ("" for any) asked for,
# member_ids (a subquery of those members' user ids), year_start, end and before (the
# previous year's start), and returns Figures, from a fixed number of queries.
DASHBOARD_FIGURES: list = []


def dashboard_figures_register(provider) -> None:
    if provider not in DASHBOARD_FIGURES:
        DASHBOARD_FIGURES.append(provider)


@dataclass
class Dashboard:
    district: District
    year: str
    previous_year: str
    figures: list[Figure]
    goals: list = field(default_factory=list)  # GoalProgress, when asked for

    @property
    def compared(self) -> list[Figure]:
        """The figures that have last year's beside them (the chart's)."""
        return [figure for figure in self.figures if figure.before is not None]

    @property
    def chart_height(self) -> int:
        return 68 * len(self.compared)


def school_year_choices(*, today: date, count: int = 5) -> list[tuple[str, str]]:
    """This school year and the ones before it, as (first day, label)."""
    start = school_year_start(today)
    choices = []
    for back in range(count):
        first = start.replace(year=start.year - back)
        choices.append((first.isoformat(), school_year_label(first)))
    return choices


def dashboard_get(
    *, district: District, year_start: date, school: School | None = None, role: str = ""
) -> Dashboard:
    """The district's activity in the school year starting `year_start`, beside the year
    before, for its active members (of one school or role, when given). Each figure is
    counted in the database; four queries whatever the district's size, and one for each
    figure another app adds. The credit, pathway and self-assessment figures are read from
    the district's groups of members (`DistrictActivityYear`): a row per school, role and
    year, however many members."""
    _school_year_check(year_start)
    member_ids = coverage_member_ids(district=district, school=school, role=role)
    end = year_start.replace(year=year_start.year + 1)
    before = year_start.replace(year=year_start.year - 1)
    now_q = {"gte": year_start, "lt": end}
    then_q = {"gte": before, "lt": year_start}
    # The same years as times (midnight where `__date` would read the day), so a timestamp
    # is compared as it is stored rather than turned into a day row by row.
    now_t = {"gte": day_start(year_start), "lt": day_start(end)}
    then_t = {"gte": day_start(before), "lt": day_start(year_start)}

    def in_year(field_name: str, bounds: dict) -> Q:
        return Q(**{f"{field_name}__{op}": value for op, value in bounds.items()})

    members = Membership.objects.filter(district=district, is_active=True)
    if school is not None:
        members = members.filter(school=school)
    if role:
        members = members.filter(role=role)
    people = members.aggregate(
        total=Count("pk"),
        joined_now=Count("pk", filter=in_year("created_at", now_t)),
        joined_then=Count("pk", filter=in_year("created_at", then_t)),
    )
    now, then, in_progress = _group_activity(
        district=district, school=school, role=role, year_start=year_start, before=before
    )
    attended = Attendance.objects.filter(
        user__in=member_ids, session__cohort__district=district, status__in=Attendance.ATTENDED
    ).aggregate(
        now=Count("pk", filter=in_year("session__starts_at", now_t)),
        then=Count("pk", filter=in_year("session__starts_at", then_t)),
    )
    cohorts = Cohort.objects.filter(district=district).aggregate(
        now=Count("pk", filter=in_year("start_date", now_q)),
        then=Count("pk", filter=in_year("start_date", then_q)),
    )
    hours = Figure(
        "PD hours credited",
        float(now["hours"]),
        float(then["hours"]),
        unit="hours",
    )
    return Dashboard(
        district=district,
        year=school_year_label(year_start),
        previous_year=school_year_label(before),
        figures=[
            Figure("Active members", people["total"]),
            Figure("Members who joined", people["joined_now"], people["joined_then"]),
            Figure("Self-assessments finished", now["assessments"], then["assessments"]),
            Figure("Pathways started", now["pathways_started"], then["pathways_started"]),
            Figure("Pathways completed", now["pathways_completed"], then["pathways_completed"]),
            Figure("Pathways in progress now", in_progress),
            Figure("Badges earned", now["badges"], then["badges"]),
            hours,
            Figure("Book clubs and cohorts started", cohorts["now"], cohorts["then"]),
            Figure("Meetings attended", attended["now"], attended["then"]),
            *[
                figure
                for provider in DASHBOARD_FIGURES
                for figure in provider(
                    district=district,
                    school=school,
                    role=role,
                    member_ids=member_ids,
                    year_start=year_start,
                    end=end,
                    before=before,
                )
            ],
        ],
    )


ACTIVITY_SUMS = ("badges", "hours", "pathways_started", "pathways_completed", "assessments")


def district_groups(model, *, district: District, school: School | None, role: str) -> QuerySet:
    """The rows of a district roll-up's groups (`DistrictActivityYear`,
    `DistrictBadgeCount`) for the district's members, of one school or role when given."""
    groups = model.objects.filter(district_id=district.pk)
    if school is not None:
        groups = groups.filter(school_id=school.pk)
    if role:
        groups = groups.filter(role=role)
    return groups.order_by()


def _group_activity(
    *, district: District, school: School | None, role: str, year_start: date, before: date
) -> tuple[dict, dict, int]:
    """The sums (ACTIVITY_SUMS) of the district's active members (of one school or role)
    this school year and the one before, and the pathways in progress now (started in any
    year less completed), from the rows of their groups: one query."""
    groups = district_groups(DistrictActivityYear, district=district, school=school, role=role)
    by_year = {
        row.pop("year_start"): row
        for row in groups.order_by()
        .values("year_start")
        .annotate(**{column: Sum(column) for column in ACTIVITY_SUMS})
    }
    nothing = dict.fromkeys(ACTIVITY_SUMS, 0)
    in_progress = sum(
        year["pathways_started"] - year["pathways_completed"] for year in by_year.values()
    )
    return by_year.get(year_start, nothing), by_year.get(before, nothing), in_progress


# ---- PD goals: who is on track, behind or done this school year ----


@dataclass
class GoalProgress:
    goal: PDGoal
    members: int
    done: int
    on_track: int
    expected: Decimal  # hours someone on track has by today

    @property
    def behind(self) -> int:
        return self.members - self.done - self.on_track


def year_fraction(year_start: date, today: date) -> Decimal:
    """How much of the school year has gone by (0 to 1)."""
    end = year_start.replace(year=year_start.year + 1)
    gone = (min(max(today, year_start), end) - year_start).days
    return Decimal(gone) / Decimal((end - year_start).days)


def goal_members(*, goal: PDGoal, goals: list[PDGoal], members: QuerySet) -> QuerySet:
    """The members a goal applies to: those of its role, or, for the goal for everyone,
    those whose role has no goal of its own."""
    if goal.role_id is not None:
        return members.filter(user__learner_profile__role_id=goal.role_id)
    own = [other.role_id for other in goals if other.role_id is not None]
    return members.exclude(user__learner_profile__role_id__in=own)


def _school_year_check(year_start: date) -> None:
    """The activity per school year is kept for the configured school years only."""
    if year_start != school_year_start(year_start):
        raise ValueError(f"{year_start} is not the first day of a school year.")


def year_hours(year_start: date) -> Coalesce:
    """Each member's PD hours credited in the school year (for a Membership queryset), from
    their activity per school year (`ActivityYear`)."""
    _school_year_check(year_start)
    credited = ActivityYear.objects.filter(user=OuterRef("user"), year_start=year_start).values(
        "hours"
    )
    return Coalesce(Subquery(credited), Value(Decimal("0")), output_field=DecimalField())


def goal_progress_list(
    *, district: District, year_start: date, today: date, school: School | None = None, role=""
) -> list[GoalProgress]:
    """Each of the district's goals with how many of its members have met it, are on track
    (at least the year's share so far) or are behind. One query per goal."""
    goals = list(PDGoal.objects.filter(district=district).select_related("role"))
    members = Membership.objects.filter(district=district, is_active=True)
    if school is not None:
        members = members.filter(school=school)
    if role:
        members = members.filter(role=role)
    fraction = year_fraction(year_start, today)
    progress = []
    for goal in goals:
        expected = (goal.hours * fraction).quantize(Decimal("0.1"))
        counts = (
            goal_members(goal=goal, goals=goals, members=members)
            .annotate(credited=year_hours(year_start))
            .aggregate(
                members=Count("pk"),
                done=Count("pk", filter=Q(credited__gte=goal.hours)),
                on_track=Count("pk", filter=Q(credited__gte=expected, credited__lt=goal.hours)),
            )
        )
        progress.append(GoalProgress(goal=goal, expected=expected, **counts))
    return progress


# ---- The district rating itself: rounds, side by side, and what to do next ----


def institutional_framework_list() -> QuerySet[Framework]:
    return coverage_framework_list().filter(scope__startswith="school system")


def institutional_elements(framework: Framework) -> list[FrameworkElement]:
    return list(
        FrameworkElement.objects.filter(framework=framework, live=True, is_assessed=True)
        .select_related("category")
        .order_by("category__sort_order", "sort_order", "code")
    )


@dataclass
class RoundComparison:
    framework: Framework
    rounds: list  # finished InstitutionalAssessments, oldest first
    rows: list[tuple[FrameworkElement, list[int | None]]]  # each element's level per round


def institutional_comparison(*, district: District, framework: Framework) -> RoundComparison:
    """The district's finished rounds on one framework, side by side (three queries)."""
    rounds = list(
        InstitutionalAssessment.objects.filter(
            district=district, framework=framework, completed_at__isnull=False
        ).order_by("completed_at")
    )
    levels = {
        (rating.assessment_id, rating.element_id): rating.level
        for rating in InstitutionalRating.objects.filter(assessment__in=rounds).only(
            "assessment_id", "element_id", "level"
        )
    }
    rows = [
        (element, [levels.get((r.pk, element.pk)) for r in rounds])
        for element in institutional_elements(framework)
    ]
    return RoundComparison(framework=framework, rounds=rounds, rows=rows)


@dataclass
class Recommendation:
    element: FrameworkElement
    level: int
    resources: list  # (kind, page)


def institutional_recommendations(
    *, assessment: InstitutionalAssessment, limit: int = 5
) -> list[Recommendation]:
    """For the elements the round rated lowest (at most `limit`, level 1 or below), the
    pathways, micro-credentials and books that address them."""
    lowest = list(
        assessment.ratings.filter(level__lte=1)
        .select_related("element")
        .order_by("level", "element__sort_order", "element__code")[:limit]
    )
    coverage = {r.element_id: ElementCoverage(element=r.element, counts=[]) for r in lowest}
    _resources(coverage, assessment.framework)
    return [
        Recommendation(element=r.element, level=r.level, resources=coverage[r.element_id].resources)
        for r in lowest
    ]


def coverage_people(
    *,
    district: District,
    framework: Framework,
    element: FrameworkElement,
    level: int,
    school: School | None = None,
    role: str = "",
) -> QuerySet[Membership]:
    """The members behind one cell of the heatmap: those whose latest finished take rated
    the element at this level (for the district's admins, to invite them to learning that
    helps; never on a shared report)."""
    member_ids = coverage_member_ids(district=district, school=school, role=role)
    latest = latest_takes(framework=framework, member_ids=member_ids)
    rated = Rating.objects.filter(assessment__in=latest, element=element, level=level)
    return (
        Membership.objects.filter(
            district=district, is_active=True, user__in=rated.values("assessment__user")
        )
        .select_related("user", "school")
        .order_by("user__display_name", "pk")
    )
