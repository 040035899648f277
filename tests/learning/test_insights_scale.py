"""The district's insights at two sizes: the dashboard, the heatmap and its comparisons by
school and by role answer a district of 20,000 members in as many queries as one of two
dozen, and still count right. The big district is written with bulk_create, in seconds."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cms.models import Framework
from learning.models import CreditEntry, Enrolment, Membership, Rating, School, SelfAssessment
from learning.selectors import school_year_start
from tests.learning.test_insights_coverage import screen_cells

pytestmark = pytest.mark.django_db

BIG = 20_000
SMALL = 24
DAY = timedelta(days=1)
SCHOOLS = ["Bay High School", "Hill Elementary", "Lake Middle School", "Oak Elementary"]


def school_of(n: int) -> int | None:
    """Member n's school (an index into SCHOOLS); one in fifty has none."""
    return (n // 4) % len(SCHOOLS) if n % 50 else None


def role_of(n: int) -> str:
    return Membership.Role.FACILITATOR if n % 10 == 4 else Membership.Role.LEARNER


def assessed(n: int) -> bool:
    return n % 4 == 0


def level_of(n: int, element: int) -> int:
    """Member n's level on the framework's element-th element, in their latest take."""
    return (n // 8 + element) % 4


def members_add(district, schools: list[School], numbers: range) -> None:
    """Active members n in `numbers`, in schools and roles as above. One in four finished
    the ISTE Educators self-assessment (one in ten of those had taken it before, at level 0
    throughout: the later take counts); one in three enrolled on a pathway; one in five has
    a badge this school year."""
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"member{n}@big.example", display_name=f"Member {n}", password=password)
        for n in numbers
    )
    people = list(zip(numbers, [user.pk for user in users], strict=True))
    Membership.objects.bulk_create(
        Membership(
            user_id=user_id,
            district_id=district.pk,
            school_id=None if school_of(n) is None else schools[school_of(n)].pk,
            role=role_of(n),
            joined_via=Membership.JoinedVia.ADMIN,
        )
        for n, user_id in people
    )
    framework = Framework.objects.get(code="ISTE-E")
    elements = list(
        framework.elements.filter(live=True, is_assessed=True)
        .order_by("category__sort_order", "sort_order", "code")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    takes = [
        (SelfAssessment(user_id=user_id, framework=framework, completed_at=now - DAY), n)
        for n, user_id in people
        if assessed(n)
    ] + [
        (SelfAssessment(user_id=user_id, framework=framework, completed_at=now - 300 * DAY), None)
        for n, user_id in people
        if assessed(n) and n % 40 == 0
    ]
    SelfAssessment.objects.bulk_create(take for take, _ in takes)
    Rating.objects.bulk_create(
        Rating(
            assessment_id=take.pk,
            element_id=element_id,
            level=0 if n is None else level_of(n, index),
        )
        for take, n in takes
        for index, element_id in enumerate(elements)
    )
    Enrolment.objects.bulk_create(
        Enrolment(user_id=user_id, pathway=None, pathway_title="Data in the Classroom")
        for n, user_id in people
        if n % 3 == 0
    )
    this_year = school_year_start(timezone.localdate())
    CreditEntry.objects.bulk_create(
        CreditEntry(
            user_id=user_id,
            source=CreditEntry.Source.BADGE,
            source_key=f"badge:big-{n}",
            title="Using Classroom Data",
            hours=Decimal("3"),
            earned_on=this_year,
        )
        for n, user_id in people
        if n % 5 == 0
    )


def test_the_insights_cost_the_same_queries_for_20000_members_as_for_two_dozen(
    client, district, district_admin
):
    schools = School.objects.bulk_create(School(district=district, name=name) for name in SCHOOLS)
    client.force_login(district_admin)
    coverage = reverse("learning:district_coverage", args=[district.slug])
    export = reverse("learning:district_coverage_csv", args=[district.slug])
    addresses = [
        reverse("learning:district_dashboard", args=[district.slug]),
        reverse("learning:district_dashboard_csv", args=[district.slug]),
        f"{coverage}?framework=ISTE-E",
        f"{coverage}?framework=ISTE-E&compare=school",
        f"{coverage}?framework=ISTE-E&compare=role",
        f"{export}?framework=ISTE-E&compare=school",
    ]

    def answered(address: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(address)
        assert response.status_code == 200, address
        return len(captured), response.content.decode()

    members_add(district, schools, range(SMALL - 1))  # and the admin
    for address in addresses:
        client.get(address)  # warm per-process caches (content types, site root paths)
    small = [answered(address) for address in addresses]
    assert "<strong>6</strong> of <strong>24</strong> active members" in small[2][1]

    members_add(district, schools, range(SMALL - 1, BIG - 1))
    big = [answered(address) for address in addresses]
    assert [count for count, _ in big] == [count for count, _ in small]

    assert '<span class="stat__number">20000</span>' in big[0][1]  # active members
    assert "<strong>5000</strong> of <strong>20000</strong> active members" in big[2][1]
    # The first element, school by school, then those in no school (the admin among them):
    # the later take of each, never the earlier one at level 0.
    for index, cell in enumerate(screen_cells(big[3][1])[: len(SCHOOLS) + 1]):
        school = index if index < len(SCHOOLS) else None
        rated = [n for n in range(BIG - 1) if assessed(n) and school_of(n) == school]
        levels = Counter(level_of(n, 0) for n in rated)
        counts = ", ".join(f"{levels[level]} at level {level}" for level in range(4))
        assert f"{len(rated)} rated: {counts}" in cell, cell
