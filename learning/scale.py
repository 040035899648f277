"""Scale data, part three: districts and what learners do in them (`python manage.py
seed_scale` explains the whole).

Districts (slugs start with `scale-`; one holds about 35% of the learners, with
`scale-district-admin@…` as its admin and 300 open invitations), schools, memberships with
a few admins and facilitators per district, onboarding, self-assessments, plans, pathway
enrolments with step progress and the credit of completed pathways, and book clubs with
sessions, attendance, RSVPs, discussion and completion credit. The heavy learner
(`scale-heavy@…`) has 50 enrolments, a self-assessment and a plan of 12 items; the big
book club (`scale-cohort-big: …`) has 40 members, 12 sessions, 8 of them held, and 200
posts.

All of it is inserted in bulk (accounts.scale.bulk_insert): no e-mail, reminder, webhook or
audit entry is sent or written for it. Credentials adds the badge lines of the PD ledger
through `badge_credits_add`, as its awards tell `learning.services.badge_earned` one at a
time."""

import hashlib
from base64 import urlsafe_b64encode
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from accounts.scale import PREFIX, SCALE_DOMAIN, bulk_insert, rows_delete
from cms.models import AudienceRole, Framework
from cms.scale_plan import (
    BIG_COHORT_HELD,
    BIG_COHORT_MEMBERS,
    BIG_COHORT_POSTS,
    BIG_COHORT_SESSIONS,
    BIG_COHORT_TITLE,
    BIG_DISTRICT_INVITATIONS,
    BIG_DISTRICT_SHARE,
    HEAVY_ENROLMENTS,
    HEAVY_PLAN_ITEMS,
)
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortMessage,
    CohortSession,
    CreditEntry,
    District,
    DistrictDomain,
    Enrolment,
    Invitation,
    LearnerProfile,
    Membership,
    PlanItem,
    Post,
    Rating,
    Rsvp,
    School,
    SelfAssessment,
    StepProgress,
)
from learning.models.districts import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from learning.services import assessable_elements
from learning.steps import pathway_steps

PLACES = [
    "Maple Valley", "Riverside", "Cedar Falls", "Lakeview", "Granite Peak", "Harbor City",
    "Pine Ridge", "Silver Creek", "Oak Hollow", "Summit", "Bayside", "Prairie View",
    "Willow Bend", "Eagle Rock", "Fox Run", "Clearwater", "Sunset Hills", "North Fork",
    "Stone Bridge", "Meadowbrook",
]  # fmt: skip
DISTRICT_KINDS = [
    "Unified School District", "Public Schools", "County Schools",
    "Independent School District", "Area School District",
]  # fmt: skip
SCHOOL_NAMES = [
    "Lincoln", "Washington", "Jefferson", "Roosevelt", "Franklin", "Central", "Northside",
    "Southside", "Westview", "Eastgate", "Hillcrest", "Parkview", "Kennedy", "Madison",
    "Garfield", "Sequoia",
]  # fmt: skip
SCHOOL_KINDS = ["Elementary School", "Middle School", "High School", "Academy"]
TIME_ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Phoenix", "America/Anchorage",
]  # fmt: skip
SENTENCES = [
    "We tried the checklist with two grade-level teams this week.",
    "The hardest part was finding time in the timetable.",
    "Our network held up, but the help desk queue doubled on the first day.",
    "Teachers asked for examples from classrooms like theirs.",
    "I would start with the families' questions next time.",
    "The data surprised our principal more than it surprised me.",
    "We agreed on three measures and dropped the rest.",
    "Students noticed the change before the staff did.",
    "The vendor's answers were vaguer than I expected.",
    "A short survey told us more than the long one ever did.",
    "Our coaches now meet every other Thursday to compare notes.",
    "I still do not know who owns the approval process.",
    "The chapter made me rethink how we train new staff.",
    "We piloted it in one school before asking the board.",
    "Next month we will share the results with the parents' council.",
]  # fmt: skip
ROLE_FRAMEWORKS = {  # the framework each audience rates itself against first
    "teacher": "ISTE-E",
    "instructional-coach": "ISTE-E",
    "school-leader": "ISTE-L",
    "district-technology-leader": "CTO",
}
ATTENDANCE = [
    (Attendance.Status.PRESENT, 70),
    (Attendance.Status.LATE, 10),
    (Attendance.Status.ABSENT, 12),
    (Attendance.Status.EXCUSED, 8),
]
MEETING_TIME = time(16, 0)
WEEK = timedelta(weeks=1)


def scale_districts():
    return District.objects.filter(slug__startswith=PREFIX)


def present() -> bool:
    return scale_districts().exists()


def remove(report) -> None:
    """Everything the scale people did here, then the scale districts (and all in them)."""
    districts = scale_districts()
    people = {"user__email__startswith": PREFIX, "user__email__endswith": f"@{SCALE_DOMAIN}"}
    cohorts = Cohort.objects.filter(district__in=districts)
    count = 0
    for queryset in (
        Post.objects.filter(session__cohort__in=cohorts),
        Attendance.objects.filter(session__cohort__in=cohorts),
        Rsvp.objects.filter(session__cohort__in=cohorts),
        CohortSession.objects.filter(cohort__in=cohorts),
        CohortMember.objects.filter(cohort__in=cohorts),
        CohortMessage.objects.filter(cohort__in=cohorts),
        Invitation.objects.filter(district__in=districts),
        cohorts,
        CreditEntry.objects.filter(**people),
        StepProgress.objects.filter(**{f"enrolment__{k}": v for k, v in people.items()}),
        Enrolment.objects.filter(**people),
        PlanItem.objects.filter(**people),
        Rating.objects.filter(**{f"assessment__{k}": v for k, v in people.items()}),
        SelfAssessment.objects.filter(**people),
        LearnerProfile.objects.filter(**people),
        Membership.objects.filter(district__in=districts),
        Membership.objects.filter(**people),
        School.objects.filter(district__in=districts),
        DistrictDomain.objects.filter(district__in=districts),
    ):
        count += rows_delete(queryset)
    count += rows_delete(districts)
    report.removed("learning rows", count)


# Helpers.


def _token(rng, bits: int = 192) -> str:
    return urlsafe_b64encode(rng.getrandbits(bits).to_bytes(bits // 8, "big")).decode()


def _code(rng, length: int = JOIN_CODE_LENGTH) -> str:
    return "".join(rng.choice(JOIN_CODE_ALPHABET) for _ in range(length))


def _text(rng, sentences: int) -> str:
    return " ".join(rng.sample(SENTENCES, sentences))


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _between(rng, start: datetime, end: datetime) -> datetime:
    """A moment between the two (the start when they are the wrong way round)."""
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(seconds)) if seconds > 0 else start


def _split(rng, total: int, parts: int, *, first_share: float) -> list[int]:
    """`total` into `parts` counts: the first gets `first_share`, the rest fall off like
    real districts' sizes (largest remainders keep the sum exact)."""
    first = min(total, round(total * first_share)) if parts > 1 else total
    weights = [1 / (k**0.8) for k in range(1, parts)]
    rest = total - first
    raw = [rest * w / sum(weights) for w in weights] if weights else []
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [first, *counts]


# Districts and people.


class _Districts:
    """What was made, for the parts that follow: districts, their schools, their active
    members (learners only) and staff."""

    def __init__(self):
        self.districts: list[District] = []
        self.schools: dict[int, list[int]] = {}
        self.members: dict[int, list[int]] = {}
        self.admins: dict[int, list[int]] = {}
        self.facilitators: dict[int, list[int]] = {}


def _districts(plan, report, people) -> _Districts:
    rng, now = plan.rng, plan.now
    made = _Districts()
    names = [f"{place} {kind}" for place in PLACES for kind in DISTRICT_KINDS]
    rng.shuffle(names)
    districts = []
    for number in range(1, plan.districts + 1):
        name = names[(number - 1) % len(names)]
        if number > len(names):
            name = f"{name} {number // len(names) + 1}"
        created = now - timedelta(days=rng.randint(400, 1500))
        districts.append(
            District(
                name=name,
                slug=f"{PREFIX}{slugify(name)[:60]}-{number}",
                join_code=_code(rng),
                time_zone=rng.choice(TIME_ZONES),
                created_at=created,
            )
        )
    bulk_insert(District, districts, report=report)
    made.districts = districts
    bulk_insert(
        DistrictDomain,
        (DistrictDomain(district=d, domain=f"{d.slug}.example") for d in districts),
        report=report,
    )
    schools = []
    for index, district in enumerate(districts):
        count = 40 if index == 0 else rng.randint(3, 15)
        chosen = rng.sample(
            [f"{n} {k}" for n in SCHOOL_NAMES for k in SCHOOL_KINDS], min(count, 64)
        )
        schools.extend(School(district=district, name=name) for name in chosen)
    for school in schools:
        made.schools.setdefault(school.district_id, [])
    pks = bulk_insert(School, schools, report=report)
    for pk, school in zip(pks, schools, strict=True):
        made.schools[school.district_id].append(pk)
    return made


def _memberships(plan, report, people, made: _Districts) -> None:
    rng, now = plan.rng, plan.now
    learners = list(people["learners"])
    rng.shuffle(learners)
    placed = learners[: round(len(learners) * 0.97)]  # the rest belong to no district
    # With few districts the big one takes more, so that it stays the largest.
    share = max(BIG_DISTRICT_SHARE, 1 / len(made.districts) + 0.1)
    counts = _split(rng, len(placed), len(made.districts), first_share=share)
    rows = []
    start = 0
    joined = people["joined"]
    for district, count in zip(made.districts, counts, strict=True):
        ids = placed[start : start + count]
        start += count
        admins = ids[: 1 + count // 2000]
        facilitators = ids[len(admins) : len(admins) + max(1, count // 150)]
        made.admins[district.pk] = list(admins)
        made.facilitators[district.pk] = list(facilitators)
        staff = {**dict.fromkeys(admins, "admin"), **dict.fromkeys(facilitators, "facilitator")}
        members = []
        for user_id in ids:
            role = {
                "admin": Membership.Role.DISTRICT_ADMIN,
                "facilitator": Membership.Role.FACILITATOR,
            }.get(staff.get(user_id), Membership.Role.LEARNER)
            active = user_id in staff or rng.random() < 0.97
            rows.append(_membership(rng, now, district, user_id, role, active, joined, made))
            if active and role == Membership.Role.LEARNER:
                members.append(user_id)
        made.members[district.pk] = members
    big = made.districts[0]
    named = people["named"]
    for key, role in (
        ("heavy", Membership.Role.LEARNER),
        ("district-admin", Membership.Role.DISTRICT_ADMIN),
    ):
        rows.append(_membership(rng, now, big, named[key], role, True, joined, made))
    made.admins[big.pk].insert(0, named["district-admin"])
    bulk_insert(Membership, rows, report=report)


def _membership(rng, now, district, user_id, role, active, joined, made) -> Membership:
    schools = made.schools[district.pk]
    return Membership(
        user_id=user_id,
        district=district,
        school_id=rng.choice(schools) if schools and rng.random() < 0.85 else None,
        role=role,
        is_active=active,
        joined_via=_weighted(
            rng,
            [
                (Membership.JoinedVia.INVITATION, 45),
                (Membership.JoinedVia.JOIN_CODE, 25),
                (Membership.JoinedVia.DOMAIN, 20),
                (Membership.JoinedVia.ADMIN, 10),
            ],
        ),
        created_at=_between(rng, max(joined[user_id], district.created_at), now),
    )


def _invitations(plan, report, made: _Districts) -> None:
    rng, now = plan.rng, plan.now
    rows = []
    for index, district in enumerate(made.districts):
        count = BIG_DISTRICT_INVITATIONS if index == 0 else rng.randint(0, 8)
        for number in range(1, count + 1):
            sent = now - timedelta(days=rng.randint(0, 40), minutes=rng.randrange(1440))
            schools = made.schools[district.pk]
            rows.append(
                Invitation(
                    district=district,
                    email=f"{PREFIX}invitee-{number:04d}@{district.slug}.example",
                    role=Membership.Role.LEARNER
                    if rng.random() < 0.95
                    else Membership.Role.FACILITATOR,
                    school_id=rng.choice(schools) if schools else None,
                    token_hash=hashlib.sha256(_token(rng).encode()).hexdigest(),
                    invited_by_id=made.admins[district.pk][0],
                    created_at=sent,
                    sent_at=sent,
                    expires_at=sent + timedelta(days=14),
                    send_count=rng.choice([1, 1, 1, 2]),
                )
            )
    bulk_insert(Invitation, rows, report=report)


def _profiles(plan, report, people, roles: list[AudienceRole]) -> dict[int, AudienceRole]:
    rng = plan.rng
    weights = {"teacher": 60, "instructional-coach": 12, "school-leader": 12}
    role_of = {}
    everyone = [*people["learners"], people["named"]["heavy"], people["named"]["district-admin"]]
    for user_id in everyone:
        role_of[user_id] = rng.choices(roles, [weights.get(r.code, 8) for r in roles])[0]
    heavy = people["named"]["heavy"]
    role_of[heavy] = next(
        (r for r in roles if r.code == "district-technology-leader"), role_of[heavy]
    )
    joined = people["joined"]
    bulk_insert(
        LearnerProfile,
        (
            LearnerProfile(
                user_id=user_id, role=role, onboarded_at=joined[user_id] + timedelta(hours=1)
            )
            for user_id, role in role_of.items()
        ),
        report=report,
    )
    return role_of


# Self-assessments and plans.


def _assessments(plan, report, people, role_of) -> None:
    rng, now = plan.rng, plan.now
    frameworks = {f.code: f for f in Framework.objects.live().order_by("code")}
    elements = {
        code: [e.pk for e in assessable_elements(framework)]
        for code, framework in frameworks.items()
    }
    fallback = next((code for code in ("EC2", "CTO") if elements.get(code)), None)
    takes = []  # (assessment, levels)
    heavy = people["named"]["heavy"]
    for user_id in [heavy, *people["learners"]]:
        if user_id != heavy and rng.random() >= 0.25:
            continue
        code = "CTO" if user_id == heavy else ROLE_FRAMEWORKS.get(role_of[user_id].code, fallback)
        if code not in frameworks or not elements[code]:
            continue
        complete = user_id == heavy or rng.random() < 0.9
        finished = now - timedelta(days=rng.randint(1, 540), minutes=rng.randrange(1440))
        rated = (
            elements[code] if complete else elements[code][: rng.randint(1, len(elements[code]))]
        )
        takes.append(
            (
                SelfAssessment(
                    user_id=user_id,
                    framework=frameworks[code],
                    started_at=finished - timedelta(minutes=rng.randint(10, 45)),
                    updated_at=finished,
                    completed_at=finished if complete else None,
                ),
                [(e, max(0, min(3, round(rng.gauss(1.6, 0.8))))) for e in rated],
            )
        )
    bulk_insert(SelfAssessment, (take for take, _ in takes), report=report)
    bulk_insert(
        Rating,
        (
            Rating(assessment_id=take.pk, element_id=element, level=level)
            for take, levels in takes
            for element, level in levels
        ),
        report=report,
    )


def _plans(plan, report, people, pages) -> None:
    rng, now = plan.rng, plan.now
    choices = [*pages["pathways"], *pages["micro_credentials"]]
    heavy = people["named"]["heavy"]
    rows = []
    for user_id in [heavy, *people["learners"]]:
        if user_id == heavy:
            count = HEAVY_PLAN_ITEMS
        elif rng.random() < 0.5:
            count = rng.randint(1, 5)
        else:
            continue
        for position, page in enumerate(rng.sample(choices, min(count, len(choices)))):
            recommended = rng.random() < 0.6
            rows.append(
                PlanItem(
                    user_id=user_id,
                    page_id=page.pk,
                    position=position,
                    source=PlanItem.Source.RECOMMENDED if recommended else PlanItem.Source.CHOSEN,
                    reason="Closes a gap in your self-assessment." if recommended else "",
                    added_at=now - timedelta(days=rng.randint(1, 400)),
                )
            )
    bulk_insert(PlanItem, rows, report=report)


# Pathways: enrolments, step progress and the credit of completed ones.


def _enrolments(plan, report, people, pages) -> None:
    rng, now = plan.rng, plan.now
    pathways = pages["pathways"]
    steps = {p.pk: [s for s in pathway_steps(p) if s.kind != "micro_credential"] for p in pathways}
    heavy = people["named"]["heavy"]
    enrolments, progress = [], []  # (enrolment, [(step, done at, reflection)])
    credits = []
    for user_id in [heavy, *people["learners"]]:
        if user_id == heavy:
            count = HEAVY_ENROLMENTS
        else:
            count = _weighted(rng, [(0, 30), (1, 25), (2, 20), (3, 12), (4, 8), (5, 5)])
        for index, pathway in enumerate(rng.sample(pathways, min(count, len(pathways)))):
            enrolled = now - timedelta(days=rng.randint(5, 600), minutes=rng.randrange(1440))
            own = steps[pathway.pk]
            if user_id == heavy:  # ten done, ten not started, the rest part of the way
                done_count = len(own) if index < 10 else 0 if index >= 40 else None
            else:
                done_count = len(own) if rng.random() < 0.25 else None
            if done_count is None:
                done_count = rng.randint(0, max(0, len(own) - 1))
            at, done = enrolled, []
            for step in own[:done_count]:
                at = _between(rng, at, min(at + timedelta(days=10), now))
                reflection = _text(rng, 2) if step.kind == "reflect" else ""
                done.append((step.id, at, reflection))
            completed = at if own and done_count == len(own) else None
            enrolments.append(
                Enrolment(
                    user_id=user_id,
                    pathway_id=pathway.pk,
                    pathway_title=pathway.title,
                    enrolled_at=enrolled,
                    completed_at=completed,
                )
            )
            progress.append(done)
            if completed is not None:
                credits.append(
                    CreditEntry(
                        user_id=user_id,
                        source=CreditEntry.Source.PATHWAY,
                        source_key=f"pathway:{pathway.pk}",
                        page_id=pathway.pk,
                        title=pathway.title,
                        hours=pathway.estimated_hours,
                        earned_on=completed.date(),
                        created_at=completed,
                    )
                )
    bulk_insert(Enrolment, enrolments, report=report)
    bulk_insert(
        StepProgress,
        (
            StepProgress(
                enrolment_id=enrolment.pk,
                step_id=step_id,
                completed_at=at,
                reflection=reflection,
                updated_at=at,
            )
            for enrolment, done in zip(enrolments, progress, strict=True)
            for step_id, at, reflection in done
        ),
        report=report,
    )
    bulk_insert(CreditEntry, credits, report=report)


def badge_credits_add(rows: Iterable[dict], *, report) -> None:
    """The PD-ledger lines of badges credentials awarded in bulk (what
    `learning.services.badge_earned` records for one award): `rows` are CreditEntry fields
    for badges (user_id, source_key, page_id, title, hours, earned_on, url, image_url,
    expires_on, created_at, voided_at, void_reason)."""
    bulk_insert(
        CreditEntry,
        (CreditEntry(source=CreditEntry.Source.BADGE, **row) for row in rows),
        report=report,
    )


# Book clubs.


class _Club:
    """One cohort being made: its rows, then its sessions, members and what they did."""

    def __init__(self, cohort: Cohort, facilitator: int, members: list[int], sessions: int):
        self.cohort = cohort
        self.facilitator = facilitator
        self.members = members
        self.session_count = sessions
        self.sessions: list[CohortSession] = []


def _club_units(club: _Club, pages) -> list[tuple[str, str, list]]:
    """(title, reading, prompts) of each session, from the book's sections or the steps."""
    cohort = club.cohort
    if cohort.book_id:
        book = next(b for b in pages["books"] if b.pk == cohort.book_id)
        sections = [
            (s.value["title"], f"Section {s.value['number']}", list(s.value["discussion_prompts"]))
            for s in book.sections
        ]
    else:
        pathway = next(p for p in pages["pathways"] if p.pk == cohort.pathway_id)
        sections = [
            (s.title, s.title, [f"How did “{s.title}” go?"]) for s in pathway_steps(pathway)
        ]
    sections = sections or [("Meeting", "", ["What will you try next?"])]
    return [sections[i % len(sections)] for i in range(club.session_count)]


def _cohorts(plan, report, people, pages, made: _Districts) -> None:
    rng, now = plan.rng, plan.now
    big = made.districts[0]
    clubs = []
    big_members = made.members[big.pk][: BIG_COHORT_MEMBERS - 1]
    heavy = people["named"]["heavy"]
    big_book = pages["books"][0]
    start = (now - BIG_COHORT_HELD * WEEK + timedelta(days=2)).date()
    clubs.append(
        (
            _Club(
                Cohort(
                    district=big,
                    title=f"{BIG_COHORT_TITLE}: {big_book.title}"[:200],
                    book_id=big_book.pk,
                    description="The district's largest book club: one section a week.",
                    time_zone=big.time_zone,
                    start_date=start,
                    status=Cohort.Status.OPEN,
                    join_code=_code(rng),
                    min_sessions_posted=2,
                    reading_hours=Decimal("4.0"),
                    created_by_id=made.facilitators[big.pk][0],
                    created_at=now - BIG_COHORT_HELD * WEEK - timedelta(days=20),
                ),
                made.facilitators[big.pk][0],
                [heavy, *big_members],
                BIG_COHORT_SESSIONS,
            ),
            BIG_COHORT_HELD,
            BIG_COHORT_POSTS,
        )
    )
    eligible = [d for d in made.districts if len(made.members[d.pk]) >= 6]
    weights = [len(made.members[d.pk]) for d in eligible]
    for number in range(1, plan.cohorts + 1):
        district = rng.choices(eligible, weights)[0]
        status = _weighted(
            rng,
            [
                (Cohort.Status.OPEN, 50),
                (Cohort.Status.FINISHED, 30),
                (Cohort.Status.DRAFT, 10),
                (Cohort.Status.CANCELLED, 10),
            ],
        )
        sessions = rng.randint(4, 10)
        held = {
            Cohort.Status.OPEN: rng.randint(1, sessions - 1),
            Cohort.Status.FINISHED: sessions,
            Cohort.Status.DRAFT: 0,
            Cohort.Status.CANCELLED: 0,
        }[status]
        if status == Cohort.Status.FINISHED:
            start = (now - timedelta(days=rng.randint(sessions * 7 + 7, 500))).date()
        elif status == Cohort.Status.OPEN:
            start = (now - held * WEEK + timedelta(days=rng.randint(1, 6))).date()
        else:
            start = (now + timedelta(days=rng.randint(7, 60))).date()
        book = rng.random() < 0.7
        page = rng.choice(pages["books"] if book else pages["pathways"])
        members = rng.sample(
            made.members[district.pk], min(len(made.members[district.pk]), rng.randint(6, 25))
        )
        facilitator = rng.choice(made.facilitators[district.pk] + made.admins[district.pk])
        members = [m for m in members if m != facilitator]
        if status == Cohort.Status.DRAFT:
            members = []
        clubs.append(
            (
                _Club(
                    Cohort(
                        district=district,
                        title=f"{PREFIX}cohort-{number:04d}: {page.title}"[:200],
                        book_id=page.pk if book else None,
                        pathway_id=None if book else page.pk,
                        description="We meet weekly after school to talk about what we tried.",
                        time_zone=district.time_zone,
                        start_date=start,
                        visibility=rng.choice(list(Cohort.Visibility)),
                        status=status,
                        join_code=_code(rng),
                        min_sessions_posted=rng.randint(0, 2),
                        reading_hours=Decimal(rng.choice(["0.0", "2.0", "3.0"])),
                        created_by_id=facilitator,
                        created_at=datetime.combine(start, time(9), UTC) - timedelta(days=21),
                    ),
                    facilitator,
                    members,
                    sessions,
                ),
                held,
                None,
            )
        )
    bulk_insert(Cohort, (club.cohort for club, _, _ in clubs), report=report)
    _sessions(plan, report, pages, clubs)
    _club_people(plan, report, clubs)


def _sessions(plan, report, pages, clubs) -> None:
    rng = plan.rng
    rows = []
    for club, _held, _posts in clubs:
        zone = ZoneInfo(club.cohort.time_zone)
        for number, (title, reading, prompts) in enumerate(_club_units(club, pages), 1):
            day = club.cohort.start_date + (number - 1) * WEEK
            session = CohortSession(
                cohort=club.cohort,
                number=number,
                title=title[:200],
                reading=reading[:255],
                covers=[number],
                prompts=prompts,
                starts_at=datetime.combine(day, MEETING_TIME, tzinfo=zone).astimezone(UTC),
                duration_minutes=60,
                place="Library, district office",
                video_url="https://meet.example/scale-book-club",
                checkin_secret=_token(rng),
            )
            club.sessions.append(session)
            rows.append(session)
    bulk_insert(CohortSession, rows, report=report)


def _club_people(plan, report, clubs) -> None:
    """Members, attendance at the meetings held, RSVPs for the next, posts and replies,
    a message from the facilitator, and, in finished clubs, completion with its credit."""
    rng, now = plan.rng, plan.now
    members, attendance, rsvps, posts, replies, messages, credits = [], [], [], [], [], [], []
    for club, held, post_count in clubs:
        cohort = club.cohort
        finished = cohort.status == Cohort.Status.FINISHED
        joined = datetime.combine(cohort.start_date, time(9), UTC) - timedelta(days=7)
        done_sessions = club.sessions[:held]
        completers = set()
        if finished:
            completers = {m for m in club.members if rng.random() < 0.7}
        last = done_sessions[-1].starts_at if done_sessions else joined
        members.append(
            CohortMember(
                cohort=cohort,
                user_id=club.facilitator,
                role=CohortMember.Role.FACILITATOR,
                state=CohortMember.State.ACTIVE,
                state_changed_at=joined - timedelta(days=7),
                joined_at=joined - timedelta(days=7),
                calendar_token=_token(rng),
            )
        )
        for user_id in club.members:
            completed = user_id in completers
            members.append(
                CohortMember(
                    cohort=cohort,
                    user_id=user_id,
                    state=CohortMember.State.COMPLETED if completed else CohortMember.State.ACTIVE,
                    state_changed_at=last + timedelta(days=1) if completed else joined,
                    joined_at=joined,
                    completed_at=last + timedelta(days=1) if completed else None,
                    calendar_token=_token(rng),
                    share_synthesis_as_evidence=completed and rng.random() < 0.5,
                )
            )
            attended = 0
            for session in done_sessions:
                status = _weighted(rng, ATTENDANCE)
                attended += status in Attendance.ATTENDED
                attendance.append(
                    Attendance(
                        session=session,
                        user_id=user_id,
                        status=status,
                        via=rng.choice(list(Attendance.Via)),
                        recorded_by_id=club.facilitator,
                        recorded_at=session.starts_at + timedelta(hours=1),
                        credited_at=last + timedelta(days=1)
                        if completed and status in Attendance.ATTENDED
                        else None,
                    )
                )
            if completed:
                credits.append(
                    CreditEntry(
                        user_id=user_id,
                        source=CreditEntry.Source.COHORT,
                        source_key=f"cohort:{cohort.pk}",
                        page_id=cohort.book_id or cohort.pathway_id,
                        title=f"{cohort.title} (book club)"
                        if cohort.book_id
                        else f"{cohort.title} (cohort)",
                        hours=cohort.reading_hours + attended,
                        earned_on=(last + timedelta(days=1)).date(),
                        created_at=last + timedelta(days=1),
                    )
                )
        upcoming = club.sessions[held] if held < len(club.sessions) else None
        if upcoming is not None and cohort.status == Cohort.Status.OPEN:
            for user_id in club.members:
                if rng.random() < 0.6:
                    rsvps.append(
                        Rsvp(
                            session=upcoming,
                            user_id=user_id,
                            answer=Rsvp.Answer.GOING
                            if rng.random() < 0.8
                            else Rsvp.Answer.NOT_GOING,
                            updated_at=now - timedelta(hours=rng.randint(1, 100)),
                        )
                    )
        threads, answers = _discussion(rng, now, club, done_sessions, post_count, completers)
        posts.extend(threads)
        replies.extend(answers)
        if done_sessions:
            messages.append(
                CohortMessage(
                    cohort=cohort,
                    author_id=club.facilitator,
                    subject="Before our next meeting",
                    body=_text(rng, 3),
                    created_at=done_sessions[-1].starts_at + timedelta(hours=2),
                )
            )
    bulk_insert(CohortMember, members, report=report)
    bulk_insert(Attendance, attendance, report=report)
    bulk_insert(Rsvp, rsvps, report=report)
    bulk_insert(Post, posts, report=report)
    for reply in replies:  # their threads have ids now
        reply.parent_id = reply.parent.pk
    bulk_insert(Post, replies, report=report)
    bulk_insert(CohortMessage, messages, report=report)
    bulk_insert(CreditEntry, credits, report=report)


def _discussion(rng, now, club, sessions, count, completers) -> tuple[list, list]:
    """Threads and replies in the meetings held: `count` posts in all when given, else
    about half the members start a thread per meeting and some get a reply."""
    if not sessions or not club.members:
        return [], []
    threads, replies = [], []

    def post(session, author, **fields) -> Post:
        at = min(
            _between(
                rng, session.starts_at - timedelta(days=2), session.starts_at + timedelta(days=3)
            ),
            now,
        )
        return Post(
            session=session,
            author_id=author,
            body=_text(rng, rng.randint(1, 4)),
            created_at=at,
            **fields,
        )

    if count is None:
        for session in sessions:
            for user_id in club.members:
                if rng.random() < 0.5:
                    threads.append(post(session, user_id))
            for thread in [t for t in threads if t.session is session]:
                if rng.random() < 0.3:
                    reply = post(session, rng.choice(club.members), parent=thread)
                    reply.created_at = max(reply.created_at, thread.created_at)
                    replies.append(reply)
        last = sessions[-1]
        for user_id in sorted(completers):
            threads.append(post(last, user_id, is_synthesis=True))
    else:
        for number in range(count):
            session = sessions[number % len(sessions)]
            own = [t for t in threads if t.session is session]
            if own and rng.random() < 0.4:
                reply = post(session, rng.choice(club.members), parent=rng.choice(own))
                reply.created_at = max(reply.created_at, reply.parent.created_at)
                replies.append(reply)
            else:
                threads.append(post(session, rng.choice([club.facilitator, *club.members])))
    return threads, replies


def seed(plan, report) -> None:
    people, pages = report.shared["people"], report.shared["pages"]
    roles = list(AudienceRole.objects.order_by("code"))
    made = _districts(plan, report, people)
    _memberships(plan, report, people, made)
    _invitations(plan, report, made)
    role_of = _profiles(plan, report, people, roles)
    _assessments(plan, report, people, role_of)
    _plans(plan, report, people, pages)
    _enrolments(plan, report, people, pages)
    _cohorts(plan, report, people, pages, made)
    big = made.districts[0]
    big_cohort = Cohort.objects.filter(district=big, title__startswith=BIG_COHORT_TITLE).get()
    report.fixture(
        "district",
        {
            "slug": big.slug,
            "members": Membership.objects.filter(district=big).count(),
            "open_invitations": BIG_DISTRICT_INVITATIONS,
        },
    )
    report.fixture(
        "cohort",
        {
            "id": big_cohort.pk,
            "title": big_cohort.title,
            "facilitator": made.facilitators[big.pk][0],
        },
    )
    site = settings.SITE_URL.rstrip("/")
    report.url("district", site + reverse("learning:district_home", args=[big.slug]))
    report.url("cohort", site + reverse("cohorts:detail", args=[big_cohort.pk]))
    for key, name in (("dashboard", "learning:dashboard"), ("plan", "learning:plan")):
        report.url(key, site + reverse(name))
