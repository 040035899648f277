"""Reads for the learner's screens and district admins' views. Each costs a fixed number of
queries, whatever the number of enrolments, badges or ratings."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cms.models import (
    AssessmentLevel,
    Crosswalk,
    Framework,
    FrameworkElement,
    MicroCredentialAlignment,
    MicroCredentialPage,
    MicroCredentialPrerequisite,
    PathwayPage,
    PathwayPrerequisite,
)
from cms.pagination import KeysetPage, keyset_page
from cms.selectors import visible_to
from learning.models import (
    CohortMember,
    CreditEntry,
    District,
    Enrolment,
    Invitation,
    LearnerProfile,
    Membership,
    PlanItem,
    Rating,
    SelfAssessment,
    StepProgress,
)
from learning.models.districts import invitation_token_hash
from learning.permissions import (
    STAFF_MEMBERSHIP,
    district_list_administered,
    district_list_staffed,
)
from learning.recommendations import Candidate, RatedElement, recommendations_rank
from learning.steps import Progress, StepInfo, pathway_steps, progress_of

# Which framework to suggest first, by the learner's role (AudienceRole codes).
SUGGESTED_FRAMEWORKS = {
    "teacher": ["ISTE-E"],
    "instructional-coach": ["ISTE-E"],
    "school-leader": ["ISTE-L"],
    "district-technology-leader": ["CTO", "DL"],
}


def held_badge_list(*, user: User) -> QuerySet:
    """Credit entries of badges that count now: not voided, not expired."""
    return CreditEntry.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate()),
        user=user,
        source=CreditEntry.Source.BADGE,
        voided_at__isnull=True,
        page__isnull=False,
    )


def done_page_id_list(*, user: User) -> set[int]:
    """Pages the learner has finished (pathways) or holds (micro-credentials): two queries."""
    finished = Enrolment.objects.filter(
        user=user, completed_at__isnull=False, pathway__isnull=False
    ).values_list("pathway_id", flat=True)
    return set(finished) | set(held_badge_list(user=user).values_list("page_id", flat=True))


def profile_get(*, user: User) -> LearnerProfile | None:
    return LearnerProfile.objects.select_related("role").filter(user=user).first()


def needs_onboarding(*, user: User) -> bool:
    return not LearnerProfile.objects.filter(user=user, onboarded_at__isnull=False).exists()


def dashboard_membership_list(*, user: User) -> list[Membership]:
    return list(Membership.objects.filter(user=user, is_active=True).select_related("district"))


def assessment_framework_list(*, role_code: str | None) -> tuple[list[Framework], list[Framework]]:
    """(suggested, others): published frameworks with published assessed elements, those
    fitting the role first."""
    frameworks = list(Framework.objects.live().with_element_counts().filter(rated_count__gt=0))
    codes = SUGGESTED_FRAMEWORKS.get(role_code or "", [])
    suggested = sorted(
        (f for f in frameworks if f.code in codes), key=lambda f: codes.index(f.code)
    )
    return suggested, [f for f in frameworks if f.code not in codes]


def level_list() -> list[AssessmentLevel]:
    return list(AssessmentLevel.objects.order_by("value"))


def assessment_list(*, user: User) -> QuerySet:
    return SelfAssessment.objects.filter(user=user).select_related("framework")


def assessment_latest_list(*, user: User) -> list[SelfAssessment]:
    """The learner's latest finished take per framework, newest first."""
    latest: dict[int, SelfAssessment] = {}
    for take in (
        assessment_list(user=user).filter(completed_at__isnull=False).order_by("-completed_at")
    ):
        latest.setdefault(take.framework_id, take)
    return list(latest.values())


@dataclass
class HistoryRow:
    element: FrameworkElement
    levels: list[int | None]

    @property
    def change(self) -> int | None:
        known = [level for level in self.levels if level is not None]
        return known[-1] - known[0] if len(known) > 1 else None


def rating_history_get(
    *, user: User, framework: Framework
) -> tuple[list[SelfAssessment], list[HistoryRow]]:
    """Every finished take on a framework, oldest first, and each element's rating per take."""
    takes = list(
        SelfAssessment.objects.filter(user=user, framework=framework, completed_at__isnull=False)
        .order_by("completed_at")
        .prefetch_related("ratings")
    )
    elements = (
        FrameworkElement.objects.live()
        .filter(framework=framework, is_assessed=True)
        .order_by("category__sort_order", "sort_order", "code")
    )
    by_take = [{r.element_id: r.level for r in take.ratings.all()} for take in takes]
    rows = [
        HistoryRow(element, [ratings.get(element.pk) for ratings in by_take])
        for element in elements
    ]
    return takes, rows


@dataclass
class ChartBar:
    """One element's bar in the results chart: its rating in this take against the target,
    as fractions of the scale (the SVG's widths) and in words."""

    element: FrameworkElement
    level: int | None
    level_name: str
    target: int
    scale_max: int

    def _share(self, value: int) -> float:
        return round(100 * value / self.scale_max, 2) if self.scale_max else 0

    @property
    def filled(self) -> float:
        return self._share(self.level or 0)

    @property
    def target_at(self) -> float:
        return self._share(self.target)

    @property
    def gap_width(self) -> float:
        """The width of the dashed outline, from the rating up to the target."""
        return max(round(self.target_at - self.filled, 2), 0)

    @property
    def gap(self) -> int:
        return max(self.target - (self.level or 0), 0) if self.level is not None else 0


def rating_chart_list(
    *,
    assessment: SelfAssessment,
    takes: list[SelfAssessment],
    rows: list[HistoryRow],
    levels: list[AssessmentLevel],
) -> list[ChartBar]:
    """The bars of the results chart for one take, from `rating_history_get`'s rows (no
    query): the same numbers as the table beside it."""
    index = next((i for i, take in enumerate(takes) if take.pk == assessment.pk), None)
    names = {level.value: level.name for level in levels}
    scale_max = max(names, default=0)
    bars = []
    for row in rows:
        level = row.levels[index] if index is not None else None
        bars.append(
            ChartBar(
                element=row.element,
                level=level,
                level_name=names.get(level, "Not rated") if level is not None else "Not rated",
                target=assessment.target_level,
                scale_max=scale_max,
            )
        )
    return bars


# Recommendations.


@dataclass
class PageRecommendation:
    page: object
    score: Decimal
    reasons: tuple[str, ...]
    in_plan: bool


def _crosswalked(element_ids: set[int]) -> dict[int, set[int]]:
    """{other element: {rated elements it maps to}} through crosswalks between published
    elements, either direction."""
    mapped: dict[int, set[int]] = defaultdict(set)
    rows = Crosswalk.objects.live().filter(
        Q(source_id__in=element_ids) | Q(target_id__in=element_ids)
    )
    for source_id, target_id in rows.values_list("source_id", "target_id"):
        if source_id in element_ids:
            mapped[target_id].add(source_id)
        if target_id in element_ids:
            mapped[source_id].add(target_id)
    for element_id in element_ids:
        mapped[element_id].add(element_id)
    return mapped


def recommendation_list(
    *,
    user: User,
    assessment: SelfAssessment,
    limit: int | None = 10,
    leave_out_planned: bool = False,
) -> list[PageRecommendation]:
    """Pathways and micro-credentials ranked by the gaps in this self-assessment (see
    learning.recommendations), leaving out what does not fit the learner's role, and with
    `leave_out_planned` what is already in their plan (the plan page lists it there, so
    it would appear twice). Element weights are the published ones; ratings of elements
    no longer published do not count."""
    ratings = list(
        assessment.ratings.filter(element__live=True, element__framework__live=True).select_related(
            "element"
        )
    )
    level_names = {level.value: level.name for level in level_list()}
    rated = [
        RatedElement(
            id=r.element_id,
            name=r.element.name,
            rating=r.level,
            rating_name=level_names.get(r.level, str(r.level)),
            weight=r.element.weight,
        )
        for r in ratings
    ]
    mapped = _crosswalked({r.element_id for r in ratings})
    profile = profile_get(user=user)
    role_id = profile.role_id if profile else None
    candidates = []
    kind_of = {}
    for model, prerequisite_model, hours in (
        (PathwayPage, PathwayPrerequisite, "estimated_hours"),
        (MicroCredentialPage, MicroCredentialPrerequisite, "pd_hours"),
    ):
        # Every page in the catalogue is a candidate, so they are read as ids and numbers,
        # not as pages with their bodies and rubrics (most of what a page costs to load):
        # only the few recommended are loaded, below.
        visible = visible_to(model.objects.all(), user)
        ids = visible.values("pk")
        alignments = model._meta.get_field("alignments").related_model
        roles = model._meta.get_field("audience_roles")
        aligned = _grouped(alignments.objects.filter(page__in=ids), "page_id", "element_id")
        required = _grouped(
            prerequisite_model.objects.filter(page__in=ids, required_page__live=True),
            "page_id",
            "required_page_id",
        )
        audiences = _grouped(
            roles.remote_field.through.objects.filter(**{f"{roles.m2m_field_name()}__in": ids}),
            f"{roles.m2m_field_name()}_id",
            f"{roles.m2m_reverse_field_name()}_id",
        )
        for page_id, title, page_hours in visible.values_list("pk", "title", hours):
            audience = audiences.get(page_id)
            if audience and role_id is not None and role_id not in audience:
                continue
            served = set()
            for element_id in aligned.get(page_id, ()):
                served |= mapped.get(element_id, set())
            kind_of[page_id] = model
            candidates.append(
                Candidate(
                    page_id=page_id,
                    title=title,
                    hours=page_hours,
                    element_ids=frozenset(served),
                    prerequisite_ids=frozenset(required.get(page_id, ())),
                )
            )
    planned = set(PlanItem.objects.filter(user=user).values_list("page_id", flat=True))
    left_out = done_page_id_list(user=user) | (planned if leave_out_planned else set())
    ranked = recommendations_rank(
        elements=rated,
        candidates=candidates,
        target=assessment.target_level,
        done_ids=left_out,
        limit=limit,
    )
    pages = {}
    for model in {kind_of[r.page_id] for r in ranked}:
        chosen = [r.page_id for r in ranked if kind_of[r.page_id] is model]
        # What a recommendation shows: its title and its link.
        pages |= model.objects.only("title", "url_path", "depth", "path").in_bulk(chosen)
    return [  # a page unpublished since the candidates were read is left out
        PageRecommendation(pages[r.page_id], r.score, r.reasons, r.page_id in planned)
        for r in ranked
        if r.page_id in pages
    ]


def _grouped(rows: QuerySet, key: str, value: str) -> dict[int, set[int]]:
    """{key: {values}} from two columns of `rows`."""
    grouped: dict[int, set[int]] = defaultdict(set)
    for found_key, found_value in rows.values_list(key, value):
        grouped[found_key].add(found_value)
    return grouped


# The plan, enrolments and the dashboard.


def plan_item_list(*, user: User, done: set[int] | None = None) -> list[PlanItem]:
    """The plan in the learner's order, each item marked `is_done` when its pathway is
    finished or its badge held (pass `done`, from `done_page_id_list`, when the caller has
    it; otherwise two more queries)."""
    items = list(
        PlanItem.objects.filter(user=user)
        .select_related("page", "page__content_type")
        .order_by("position", "added_at")
    )
    if done is None:
        done = done_page_id_list(user=user) if items else set()
    for item in items:
        item.is_done = item.page_id in done
        item.is_pathway = item.page.content_type.model == "pathwaypage"
    return items


@dataclass
class EnrolmentView:
    enrolment: Enrolment
    steps: list[StepInfo]
    progress: Progress


ENROLMENT_FIELDS = ("user_id", "pathway_id", "pathway_title", "enrolled_at", "completed_at")
# A pathway's link ({% pageurl %} needs its path and locale), title, state and steps.
ENROLMENT_PATHWAY_FIELDS = ("title", "url_path", "locale_id", "live", "steps")


def enrolment_list(*, user: User, held: set[int] | None = None) -> list[EnrolmentView]:
    """Enrolments, unfinished first, each with its progress: two queries, and one more
    unless the caller passes the pages whose badges the learner holds (`held`)."""
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("pathway")
        # What a list of pathways shows (the title, as a link) and what their progress is
        # worked out from; not the rest of each page (about 40 columns, two StreamFields).
        .only(*ENROLMENT_FIELDS, *(f"pathway__{name}" for name in ENROLMENT_PATHWAY_FIELDS))
        .prefetch_related(
            Prefetch(
                "steps",
                StepProgress.objects.filter(completed_at__isnull=False).only(
                    "enrolment_id", "step_id", "completed_at"
                ),
            )
        )
        .order_by(F("completed_at").desc(nulls_first=True), "-enrolled_at")
    )
    if held is None:
        held = set(held_badge_list(user=user).values_list("page_id", flat=True))
    views = []
    for enrolment in enrolments:
        steps = pathway_steps(enrolment.pathway) if enrolment.pathway else []
        done = {p.step_id for p in enrolment.steps.all() if p.completed_at}
        done |= {step.id for step in steps if step.micro_credential_id in held}
        views.append(EnrolmentView(enrolment, steps, progress_of(steps, done)))
    return views


def school_year_start(day: date) -> date:
    month = settings.LEAP_SCHOOL_YEAR_START_MONTH
    year = day.year if day.month >= month else day.year - 1
    return date(year, month, 1)


def school_year_label(day: date) -> str:
    """“2026–27” for a school year starting in 2026 (or “2026” when it starts in January)."""
    start = school_year_start(day)
    if start.month == 1:
        return str(start.year)
    return f"{start.year}–{(start.year + 1) % 100:02d}"


def credit_entry_list(*, user: User) -> QuerySet:
    return CreditEntry.objects.filter(user=user, voided_at__isnull=True)


@dataclass
class SchoolYear:
    label: str
    entries: list[CreditEntry] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return sum((entry.hours for entry in self.entries), Decimal("0"))


def transcript_get(*, user: User) -> list[SchoolYear]:
    """The ledger grouped by school year, newest first."""
    years: dict[str, SchoolYear] = {}
    for entry in credit_entry_list(user=user).order_by("-earned_on", "-created_at"):
        label = school_year_label(entry.earned_on)
        years.setdefault(label, SchoolYear(label)).entries.append(entry)
    return list(years.values())


@dataclass
class MapRow:
    element: FrameworkElement
    rating: int | None
    rating_name: str
    earned: list[str]


@dataclass
class FrameworkMap:
    framework: Framework
    assessment: SelfAssessment
    rows: list[MapRow]


def framework_map_list(*, user: User, earned_titles: dict[int, str]) -> list:
    """Per assessed framework: the latest rating of each element beside the badges earned
    that align to it (directly or through a crosswalk)."""
    takes = assessment_latest_list(user=user)
    if not takes:
        return []
    ratings = defaultdict(dict)
    for rating in Rating.objects.filter(assessment__in=takes):
        ratings[rating.assessment_id][rating.element_id] = rating.level
    elements = list(
        FrameworkElement.objects.live()
        .filter(framework__in=[take.framework_id for take in takes], is_assessed=True)
        .order_by("category__sort_order", "sort_order", "code")
    )
    mapped = _crosswalked({element.pk for element in elements})
    earned_by_element: dict[int, list[str]] = defaultdict(list)
    aligned = MicroCredentialAlignment.objects.filter(page_id__in=earned_titles).values_list(
        "page_id", "element_id"
    )
    for page_id, aligned_element_id in aligned:
        for element_id in mapped.get(aligned_element_id, ()):
            title = earned_titles[page_id]
            if title not in earned_by_element[element_id]:
                earned_by_element[element_id].append(title)
    level_names = {level.value: level.name for level in level_list()}
    maps = []
    for take in takes:
        rows = []
        for element in elements:
            if element.framework_id != take.framework_id:
                continue
            level = ratings[take.pk].get(element.pk)
            rows.append(
                MapRow(
                    element,
                    level,
                    level_names.get(level, "Not rated") if level is not None else "Not rated",
                    earned_by_element.get(element.pk, []),
                )
            )
        maps.append(FrameworkMap(take.framework, take, rows))
    return maps


def dashboard_get(*, user: User) -> dict:
    entries = list(credit_entry_list(user=user).order_by("-earned_on", "-created_at"))
    year_start = school_year_start(timezone.localdate())
    today = timezone.localdate()
    badges, seen = [], set()
    for entry in entries:  # newest first: a renewed badge shows once, as renewed
        if entry.source != CreditEntry.Source.BADGE or (entry.page_id or entry.pk) in seen:
            continue
        seen.add(entry.page_id or entry.pk)
        entry.is_expired = entry.expires_on is not None and entry.expires_on < today
        badges.append(entry)
    earned_titles = {e.page_id: e.title for e in badges if e.page_id and not e.is_expired}
    enrolments = enrolment_list(user=user, held=set(earned_titles))
    finished = {view.enrolment.pathway_id for view in enrolments if view.enrolment.is_complete}
    return {
        "plan": plan_item_list(user=user, done=finished | set(earned_titles)),
        "in_progress": [view for view in enrolments if not view.enrolment.is_complete],
        "completed": [view for view in enrolments if view.enrolment.is_complete],
        "badges": badges,
        "hours_this_year": sum(
            (entry.hours for entry in entries if entry.earned_on >= year_start), Decimal("0")
        ),
        "school_year": school_year_label(timezone.localdate()),
        "framework_maps": framework_map_list(user=user, earned_titles=earned_titles),
        "open_assessments": list(assessment_list(user=user).filter(completed_at__isnull=True)),
        "memberships": dashboard_membership_list(user=user),
    }


# What a page shows the signed-in learner.


def pathway_state_get(*, user: User, pathway: PathwayPage) -> dict:
    enrolment = (
        Enrolment.objects.filter(user=user, pathway=pathway).prefetch_related("steps").first()
    )
    in_plan = PlanItem.objects.filter(user=user, page_id=pathway.pk).exists()
    state = {"enrolment": enrolment, "in_plan": in_plan, "progress": None, "step_state": {}}
    if enrolment is not None:
        steps = pathway_steps(pathway)
        held = dict(held_badge_list(user=user).values_list("page_id", "earned_on"))
        rows = {row.step_id: row for row in enrolment.steps.all()}
        done = {step_id for step_id, row in rows.items() if row.completed_at}
        state["step_state"] = {
            step_id: {"completed_at": row.completed_at, "reflection": row.reflection}
            for step_id, row in rows.items()
        }
        for step in steps:
            if step.micro_credential_id in held:
                done.add(step.id)
                state["step_state"][step.id] = {"completed_at": held[step.micro_credential_id]}
        state["progress"] = progress_of(steps, done)
    else:
        done = done_page_id_list(user=user)
        state["missing_prerequisites"] = [
            page for page in pathway.prerequisite_pages if page.pk not in done
        ]
    return state


def micro_credential_state_get(*, user: User, page: MicroCredentialPage) -> dict:
    earned = held_badge_list(user=user).filter(page_id=page.pk).order_by("-earned_on").first()
    in_plan = PlanItem.objects.filter(user=user, page_id=page.pk).exists()
    return {"earned": earned, "in_plan": in_plan}


# District administration.


def _per_user(queryset: QuerySet, aggregate) -> Subquery:
    """A correlated subquery of one figure per member (no join fan-out between figures)."""
    return Subquery(
        queryset.filter(user=OuterRef("user"))
        .order_by()
        .values("user")
        .annotate(figure=aggregate)
        .values("figure")[:1]
    )


INVITATION_ORDERING = ("-sent_at", "-pk")


def invitation_open_list(*, district: District) -> QuerySet:
    """Invitations neither accepted nor withdrawn, newest first; expired ones too (marked
    `expired`), since sending one again renews it."""
    return (
        district.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("school")
        .annotate(expired=Q(expires_at__lte=timezone.now()))
        .order_by(*INVITATION_ORDERING)
    )


def invitation_open_page_get(*, district: District, cursor: str | None, size: int) -> KeysetPage:
    """One page of the open invitations (cms.pagination), with how many there are. Two
    queries, at any depth."""
    return keyset_page(
        invitation_open_list(district=district),
        ordering=INVITATION_ORDERING,
        cursor=cursor,
        size=size,
    )


def invitation_get_by_token(*, token: str):
    """The invitation a link's token names, whatever its state, or None."""
    return (
        Invitation.objects.select_related("district", "school", "cohort")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def invitation_open_get(*, token_hash: str) -> Invitation | None:
    """The invitation whose current link has this hash while it can still be used: not
    accepted, withdrawn or expired, in an active district. Otherwise None."""
    return (
        Invitation.objects.select_related("district")
        .filter(
            token_hash=token_hash,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            district__is_active=True,
        )
        .first()
    )


def invitation_is_for(*, user: User, invitation: Invitation) -> bool:
    """Whether the invited address is one of the user's verified addresses."""
    return EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


def membership_get(*, user: User, district: District) -> Membership | None:
    return Membership.objects.filter(user=user, district=district).first()


# By the person's name as the membership keeps it (`Membership.member_name`), so a page is
# read from the index learning_members_by_name, not sorted from the whole district.
ROSTER_ORDERING = ("member_name", "pk")
# Active members first, then by name.
MEMBER_ORDERING = ("-is_active", "member_name", "pk")
MEMBER_FIGURES = ("enrolments", "pathways_completed", "badges", "hours_this_year", "last_assessed")


def district_roster_list(*, district: District) -> QuerySet:
    """What a facilitator sees of their district: its active members' names, roles and
    schools (no addresses, no progress), by name."""
    return (
        Membership.objects.filter(district=district, is_active=True)
        .select_related("user", "school")
        .order_by(*ROSTER_ORDERING)
    )


def district_roster_page_get(*, district: District, cursor: str | None, size: int) -> KeysetPage:
    """One page of the roster (cms.pagination), with how many there are. Two queries, at
    any depth."""
    return keyset_page(
        district_roster_list(district=district),
        ordering=ROSTER_ORDERING,
        cursor=cursor,
        size=size,
    )


def district_member_list(*, district: District) -> QuerySet:
    """A district's members with their people and schools, active first, then by name: what
    the admins' filters (learning.filters.MemberFilter) narrow, before
    `district_member_page_get` reads one page of it."""
    return (
        Membership.objects.filter(district=district)
        .select_related("user", "school")
        .order_by(*MEMBER_ORDERING)
    )


def district_member_page_get(*, members: QuerySet, cursor: str | None, size: int) -> KeysetPage:
    """One page of `members` (district_member_list, perhaps filtered; cms.pagination), each
    with its progress figures: `enrolments`, `pathways_completed`, `badges`,
    `hours_this_year` and `last_assessed`. Three queries, at any depth: the figures are
    worked out for the members on the page only."""
    page = keyset_page(members, ordering=MEMBER_ORDERING, cursor=cursor, size=size)
    figures = _member_figures({member.pk for member in page.items})
    # A membership removed between the two reads has no row of figures: it shows none.
    none = {
        "enrolments": 0,
        "pathways_completed": 0,
        "badges": 0,
        "hours_this_year": Decimal("0"),
        "last_assessed": None,
    }
    for member in page.items:
        for name, value in figures.get(member.pk, none).items():
            setattr(member, name, value)
    return page


def _member_figures(membership_ids: set[int]) -> dict[int, dict]:
    """Progress figures per membership, in one query over just these memberships."""
    if not membership_ids:
        return {}
    year_start = school_year_start(timezone.localdate())
    credit = CreditEntry.objects.filter(voided_at__isnull=True)
    rows = (
        Membership.objects.filter(pk__in=membership_ids)
        .order_by()
        .annotate(
            enrolments=Coalesce(_per_user(Enrolment.objects.all(), Count("pk")), 0),
            pathways_completed=Coalesce(
                _per_user(Enrolment.objects.filter(completed_at__isnull=False), Count("pk")), 0
            ),
            badges=Coalesce(
                _per_user(credit.filter(source=CreditEntry.Source.BADGE), Count("pk")), 0
            ),
            hours_this_year=Coalesce(
                _per_user(credit.filter(earned_on__gte=year_start), Sum("hours")),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=7, decimal_places=1),
            ),
            last_assessed=_per_user(
                SelfAssessment.objects.filter(completed_at__isnull=False), Max("completed_at")
            ),
        )
        .values("pk", *MEMBER_FIGURES)
    )
    return {row.pop("pk"): row for row in rows}


def member_progress_get(*, user: User) -> dict:
    """What a district admin sees of a member: pathways and credit, not their ratings,
    notes or reflections."""
    enrolments = enrolment_list(user=user)
    years = transcript_get(user=user)
    return {
        "enrolments": enrolments,
        "years": years,
        "badges": [
            entry
            for year in years
            for entry in year.entries
            if entry.source == CreditEntry.Source.BADGE
        ],
    }


def staff_role_get(*, user: User) -> str | None:
    """For the second-factor rule (LEAP_STAFF_ROLE_RULES): district admins, and
    facilitators where LEAP_MFA_FOR_FACILITATORS says so."""
    if district_list_administered(user).exists():
        return "district admin"
    if settings.LEAP_MFA_FOR_FACILITATORS and district_list_staffed(user).exists():
        return "facilitator"
    return None


def landing_get(*, user: User) -> str | None:
    """After log-in: a district admin on their district (the first by name), else a
    facilitator on the district they facilitate."""
    slug = district_list_administered(user).values_list("slug", flat=True).first()
    if slug is None:
        slug = district_list_staffed(user).values_list("slug", flat=True).first()
    return reverse("learning:district_home", args=[slug]) if slug else None


def navigation_facts() -> dict:
    """The menu's facts about the person (LEAP_NAV_FACTS, read in one query by
    accounts.context_processors.navigation): `nav_district_slug`, the district they
    administer or facilitate (the first by name), and `nav_book_clubs`, whether they take
    part in, run, wait for or are invited to a book club (district staff reach theirs from
    the district screen)."""
    person = OuterRef("pk")
    return {
        "nav_district_slug": Subquery(
            Membership.objects.filter(STAFF_MEMBERSHIP, user=person)
            .order_by("district__name", "district_id")
            .values("district__slug")[:1]
        ),
        "nav_book_clubs": Exists(
            CohortMember.objects.filter(user=person).exclude(state=CohortMember.State.LEFT)
        ),
    }


def learner_figure_list() -> list[dict]:
    """For the home page: how many educators have set up their learning on Leap."""
    count = LearnerProfile.objects.filter(onboarded_at__isnull=False).count()
    return [{"value": count, "label": "educators learning"}]
