"""Demo data for the learner's side: a district with schools and a join code, the demo
people's memberships (the facilitator lands on the district's roster), one invitation
waiting for an answer (to send again or withdraw), and Maya (the demo learner) part-way
through her own plan."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import User
from cms.models import AudienceRole, Framework, PathwayPage
from learning import demo_cohort, services
from learning.models import (
    District,
    DistrictDomain,
    Invitation,
    Membership,
    PlanItem,
    School,
    SelfAssessment,
)
from learning.selectors import school_year_start as school_year_start
from learning.steps import pathway_steps

DEMO_DISTRICT = {"name": "Riverside Unified School District", "slug": "riverside"}
DEMO_JOIN_CODE = "LEAPDEMO"
DEMO_DOMAIN = "riverside.example"
DEMO_SCHOOLS = ["Riverside High School", "Oak Street Elementary", "Lincoln Middle School"]
DEMO_MEMBERS = [
    # demo account role, membership role, role in onboarding
    ("learner", Membership.Role.LEARNER, "district-technology-leader"),
    ("district admin", Membership.Role.DISTRICT_ADMIN, "district-technology-leader"),
    ("facilitator", Membership.Role.FACILITATOR, "instructional-coach"),
]
# Maya's CTO self-assessment: strong on vision, weaker on data privacy and funding.
DEMO_RATINGS = {"CTO-1": 2, "CTO-2": 1, "CTO-3": 1, "CTO-9": 1, "CTO-10": 0}
DEMO_PATHWAY_SLUG = "student-data-privacy-for-district-leaders"
DEMO_INVITEE = "new.colleague@example.org"


# The made-up State Digital Learning Institute whose badge Maya added (credentials.demo): the
# did:key of the demo's fixed key for it, which the demo district counts.
DEMO_EXTERNAL_ISSUER = "did:key:z6MkfQJhtLY5Bt3C3i2zEvxjJNzQUBLh89WHrkiZU8qVyQf6"


@transaction.atomic
def seed(report) -> None:
    district, _ = District.objects.update_or_create(
        slug=DEMO_DISTRICT["slug"],
        defaults={
            "name": DEMO_DISTRICT["name"],
            "join_code": DEMO_JOIN_CODE,
            "is_active": True,
            "external_badge_issuers": DEMO_EXTERNAL_ISSUER,
        },
    )
    DistrictDomain.objects.get_or_create(district=district, domain=DEMO_DOMAIN)
    schools = [School.objects.get_or_create(district=district, name=n)[0] for n in DEMO_SCHOOLS]
    for account_role, role, audience in DEMO_MEMBERS:
        person = demo_user(account_role)
        Membership.objects.update_or_create(
            user=person,
            district=district,
            defaults={"role": role, "is_active": True, "joined_via": "admin", "school": schools[0]},
        )
        audience_role = AudienceRole.objects.filter(code=audience).first()
        if audience_role is not None:
            services.profile_onboard(
                user=person, display_name=person.display_name, role=audience_role
            )
    _learner_ensure(demo_user("learner"))
    if not Invitation.objects.filter(
        district=district, email=DEMO_INVITEE, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        services.invitation_send(
            district=district,
            email=DEMO_INVITEE,
            role=Membership.Role.LEARNER,
            invited_by=demo_user("district admin"),
            school=schools[1],
        )
    demo_cohort.seed(report)  # the district's book clubs
    _colleague_assessments_ensure()
    _school_teachers_ensure(district, schools)
    _institution_rounds_ensure(district)
    report.add_line(
        f"demo district: {district.name}, join code {DEMO_JOIN_CODE} "
        f"(district admin: {demo_user('district admin').email}, facilitator: "
        f"{demo_user('facilitator').email}; an invitation to {DEMO_INVITEE} is waiting)"
    )


# Maya's colleagues' CTO self-assessments, for the district's insights: (levels by element,
# the default level, and when they finished: "last" school year or "this" one). Jordan and
# Amira took it last year and again this year (the heatmap counts the later take).
COLLEAGUE_TAKES = {
    "jordan.ellis@riverside.example": [({"CTO-10": 0}, 1, "last"), ({"CTO-10": 1}, 2, "this")],
    "amira.haddad@riverside.example": [({"CTO-1": 1}, 1, "last"), ({"CTO-1": 2}, 2, "this")],
    "luis.ortega@riverside.example": [({"CTO-10": 0, "CTO-9": 0}, 1, "this")],
    "hannah.kim@riverside.example": [({"CTO-2": 3}, 2, "this")],
    "priya.nair@riverside.example": [({"CTO-10": 1}, 1, "last")],
    "tom.becker@riverside.example": [({"CTO-3": 0}, 1, "last")],
}


def _colleague_assessments_ensure() -> None:
    framework = Framework.objects.filter(code="CTO").first()
    if framework is None:
        return
    this_year = school_year_start(timezone.localdate())
    when = {
        "last": this_year - timedelta(days=120),
        "this": min(this_year + timedelta(days=30), timezone.localdate() - timedelta(days=1)),
    }
    elements = services.assessable_elements(framework)
    for email, takes in COLLEAGUE_TAKES.items():
        colleague = User.objects.filter(email=email).first()
        if colleague is None or colleague.self_assessments.filter(framework=framework).exists():
            continue
        for levels, default, year in takes:
            take = services.assessment_start(user=colleague, framework=framework)
            services.assessment_save(
                assessment=take,
                ratings={e.pk: (levels.get(e.code, default), "") for e in elements},
                complete=True,
            )
            finished = timezone.make_aware(datetime.combine(when[year], time(16, 0)))
            SelfAssessment.objects.filter(pk=take.pk).update(
                started_at=finished - timedelta(minutes=25), completed_at=finished
            )


# Teachers who rated themselves against the ISTE Standards for Educators this school year,
# so the heatmap has schools to compare: six at Riverside High (few strong on 2.7, Analyst),
# six at Oak Street (strong on 2.3, Citizen), three at Lincoln Middle (too few to show).
# Each string is a teacher's levels on 2.1 to 2.7.
SCHOOL_TEACHERS = {
    "Riverside High School": [
        ("Daniel Okafor", "2121210"),
        ("Fiona Grant", "2212100"),
        ("Marcus Lee", "3221211"),
        ("Sofia Reyes", "1112101"),
        ("Ethan Walsh", "2121320"),
        ("Nadia Rahman", "2211201"),
    ],
    "Oak Street Elementary": [
        ("Lucy Chen", "1232122"),
        ("Omar Farouk", "2132212"),
        ("Isabel Moreno", "1231123"),
        ("Kwame Asante", "2321112"),
        ("Rachel Stein", "1132222"),
        ("Mateo Silva", "2232121"),
    ],
    "Lincoln Middle School": [
        ("Aiko Tanaka", "1121011"),
        ("Ben Carter", "2110102"),
        ("Chloe Dubois", "1011110"),
    ],
}


def _school_teachers_ensure(district: District, schools: list[School]) -> None:
    framework = Framework.objects.filter(code="ISTE-E").first()
    if framework is None:
        return
    elements = list(services.assessable_elements(framework))
    this_year = school_year_start(timezone.localdate())
    finished = timezone.make_aware(
        datetime.combine(
            min(this_year + timedelta(days=40), timezone.localdate() - timedelta(days=1)),
            time(15, 30),
        )
    )
    by_name = {school.name: school for school in schools}
    for school_name, teachers in SCHOOL_TEACHERS.items():
        for name, levels in teachers:
            email = f"{name.lower().replace(' ', '.')}@riverside.example"
            teacher = User.objects.filter(email=email).first()
            if teacher is None:
                teacher = User(email=email, display_name=name, is_active=True)
                teacher.set_unusable_password()
                teacher.save()
            Membership.objects.get_or_create(
                user=teacher,
                district=district,
                defaults={
                    "role": Membership.Role.LEARNER,
                    "is_active": True,
                    "joined_via": "admin",
                    "school": by_name[school_name],
                },
            )
            if teacher.self_assessments.filter(framework=framework).exists():
                continue
            take = services.assessment_start(user=teacher, framework=framework)
            services.assessment_save(
                assessment=take,
                ratings={e.pk: (int(level), "") for e, level in zip(elements, levels, strict=True)},
                complete=True,
            )
            SelfAssessment.objects.filter(pk=take.pk).update(
                started_at=finished - timedelta(minutes=20), completed_at=finished
            )


# The district team's two rounds of rating the district against the Digital Leap Success
# Matrix: last spring, then this autumn, after a year of work on privacy and planning.
# Levels not listed are 2 (established); the evidence says what the team looked at.
INSTITUTION_ROUNDS = [
    (
        "Spring review, last school year",
        "last",
        {"DL-3B": 0, "DL-8B": 1, "DL-2C": 1, "DL-4A": 1, "DL-10B": 1, "DL-1A": 3},
    ),
    (
        "Autumn review",
        "this",
        {"DL-3B": 1, "DL-8B": 2, "DL-2C": 2, "DL-4A": 1, "DL-10B": 1, "DL-1A": 3, "DL-7B": 3},
    ),
]
INSTITUTION_EVIDENCE = {
    "DL-3B": "Vendor agreements reviewed: 31 of 58 apps have a signed data privacy agreement.",
    "DL-8B": "Annual security audit done; multi-factor sign-in for staff since October.",
    "DL-4A": "PD budget covers coaching for grades 6-12 only; elementary has no plan yet.",
    "DL-1A": "Board adopted the digital learning vision; every school plan cites it.",
}


def _institution_rounds_ensure(district: District) -> None:
    framework = Framework.objects.filter(code="DL").first()
    if framework is None:
        return
    admin = demo_user("district admin")
    team = [
        admin.pk,
        *User.objects.filter(
            email__in=["jordan.ellis@riverside.example", "hannah.kim@riverside.example"]
        ).values_list("pk", flat=True),
    ]
    this_year = school_year_start(timezone.localdate())
    when = {
        "last": this_year - timedelta(days=80),
        "this": min(this_year + timedelta(days=100), timezone.localdate() - timedelta(days=1)),
    }
    elements = services.assessable_elements(framework)
    for title, year, levels in INSTITUTION_ROUNDS:
        if district.institutional_assessments.filter(title=title).exists():
            continue
        round_ = services.institutional_assessment_start(
            district=district, framework=framework, title=title, created_by=admin
        )
        services.institutional_assessment_save(
            assessment=round_,
            ratings={
                e.pk: (levels.get(e.code, 2), INSTITUTION_EVIDENCE.get(e.code, ""))
                for e in elements
            },
            team_ids=team,
            complete=True,
        )
        finished = timezone.make_aware(datetime.combine(when[year], time(15, 0)))
        type(round_).objects.filter(pk=round_.pk).update(
            created_at=finished - timedelta(days=14), completed_at=finished
        )


def _learner_ensure(learner) -> None:
    framework = Framework.objects.filter(code="CTO").first()
    if framework is not None and not learner.self_assessments.filter(framework=framework).exists():
        take = services.assessment_start(user=learner, framework=framework)
        elements = services.assessable_elements(framework)
        services.assessment_save(
            assessment=take,
            ratings={e.pk: (DEMO_RATINGS.get(e.code, 2), "") for e in elements},
            complete=True,
        )
    pathway = PathwayPage.objects.live().filter(slug=DEMO_PATHWAY_SLUG).first()
    if pathway is None:
        return
    if not PlanItem.objects.filter(user=learner).exists():
        services.plan_add(user=learner, page=pathway, source=PlanItem.Source.CHOSEN)
    enrolment = services.enrolment_enrol(user=learner, pathway=pathway)
    # The first two steps done, so the dashboard has progress to show.
    for step in [s for s in pathway_steps(pathway) if s.kind in ("read", "watch")][:2]:
        services.step_update(enrolment=enrolment, step_id=step.id, done=True)
