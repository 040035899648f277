"""The badges a district's active members hold per micro-credential, by school and role
(`DistrictBadgeCount`), are kept by the database on every write to the ledger and the
memberships: a badge, a bulk award, a revocation, a badge from elsewhere (not counted), a
page deleted, every move of a membership, a person deleted. After each, the groups must
equal the ledger counted afresh; the coverage heatmap reads them, for the district, one
school or one role."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from cms.models import Framework
from learning import services
from learning.activity_years import DISTRICT_BADGES
from learning.insights import coverage_get
from learning.models import CreditEntry, DistrictBadgeCount, Membership, School
from tests.factories import DistrictFactory, MembershipFactory, UserFactory
from tests.overlapping import overlapping

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 2)


def held_afresh() -> dict:
    """Each active member's standing badges of Leap's own, counted by district, school,
    role and page, from the ledger as it is."""
    counted = Counter()
    standing = CreditEntry.objects.filter(
        source="badge", voided_at__isnull=True, page_id__isnull=False
    )
    for member in Membership.objects.filter(is_active=True):
        for entry in standing.filter(user_id=member.user_id):
            counted[(member.district_id, member.school_id, member.role, entry.page_id)] += 1
    return dict(counted)


def held() -> dict:
    """The groups' rows (changes not yet compacted included) summed by group."""
    counted = Counter()
    for row in DistrictBadgeCount.objects.all():
        counted[(row.district_id, row.school_id, row.role, row.page_id)] += row.badges
    return {key: value for key, value in counted.items() if value}


def award(user, page, key: str) -> CreditEntry:
    return services.badge_earned(
        user=user,
        micro_credential_id=page.pk if page else None,
        title="A badge",
        hours=Decimal("2"),
        earned_on=DAY,
        key=key,
    )


def test_the_groups_follow_every_write_to_the_ledger_and_every_move(district, catalogue):
    data, design = catalogue.data, catalogue.design
    north, south = (School.objects.create(district=district, name=n) for n in ("North", "South"))
    other = DistrictFactory()
    ana = MembershipFactory(district=district, school=north).user
    MembershipFactory(user=ana, district=other, role="facilitator")
    award(ana, data, "a1")
    award(ana, design, "a2")
    award(ana, None, "a3")  # a badge whose page is gone: credited, on no page
    CreditEntry.objects.create(  # earned elsewhere: not one of Leap's micro-credentials
        user=ana,
        source="external",
        source_key="ext:1",
        page=data,
        title="X",
        earned_on=DAY,
        hours=Decimal("1"),
    )
    assert held() == held_afresh()
    assert held()[(district.pk, north.pk, "learner", data.pk)] == 1
    assert held()[(other.pk, None, "facilitator", design.pk)] == 1

    services.badges_earned(  # a bulk award, with a badge credited before (counted once)
        earned=[
            services.BadgeEarned(
                user=person, micro_credential_id=data.pk, title="A badge",
                hours=Decimal("2"), earned_on=DAY, key=key,
            )
            for person, key in ((ana, "a1"), (MembershipFactory(district=district).user, "b1"))
        ]
    )  # fmt: skip
    assert held() == held_afresh()
    assert held()[(district.pk, None, "learner", data.pk)] == 1

    services.badge_withdrawn(user=ana, key="a2", reason="Revoked")
    assert held() == held_afresh()
    assert (district.pk, north.pk, "learner", design.pk) not in held()

    membership = Membership.objects.get(user=ana, district=district)
    for change in (
        {"school": south},
        {"role": "facilitator"},
        {"is_active": False},  # left: counted nowhere in the district
        {"is_active": True},
        {"school": None},
    ):
        for name, value in change.items():
            setattr(membership, name, value)
        membership.save()
        assert held() == held_afresh(), change

    CreditEntry.objects.filter(user=ana, page=data).update(page=design)  # moved to a page
    assert held() == held_afresh()
    catalogue.design.delete()  # the ledger keeps the credit, on no page
    assert held() == held_afresh()
    assert not any(page == design.pk for (*_, page) in held())
    north.delete()
    south.delete()
    ana.delete()
    assert held() == held_afresh() == {(district.pk, None, "learner", data.pk): 1}


def test_compacting_keeps_the_counts_and_beat_compacts_them(district, catalogue):
    people = [MembershipFactory(district=district).user for _ in range(3)]
    for number, person in enumerate(people):
        award(person, catalogue.data, f"a{number}")
    services.badge_withdrawn(user=people[0], key="a0", reason="Revoked")
    assert DistrictBadgeCount.objects.count() == 4
    assert DISTRICT_BADGES.compact() == 1
    assert held() == held_afresh() == {(district.pk, None, "learner", catalogue.data.pk): 2}
    assert DISTRICT_BADGES.drift() == 0


def test_lost_triggers_are_put_back_and_what_they_missed_is_counted(district, catalogue):
    person = MembershipFactory(district=district).user
    award(person, catalogue.data, "a1")
    with connection.cursor() as cursor:
        for statement in DISTRICT_BADGES.drop_statements(connection.vendor):
            cursor.execute(statement)
    award(person, catalogue.design, "a2")  # unseen by the groups
    assert held() != held_afresh()
    assert DISTRICT_BADGES.drift() == 1
    assert DISTRICT_BADGES.sync() is True
    assert held() == held_afresh()
    award(person, catalogue.advanced, "a3")
    assert held() == held_afresh()
    assert len(held()) == 3


def test_the_heatmap_counts_the_badges_of_one_school_or_role(district, catalogue):
    north = School.objects.create(district=district, name="North")
    teacher = MembershipFactory(district=district, school=north).user
    coach = MembershipFactory(district=district, role="facilitator").user
    outsider = UserFactory()  # not a member: not counted
    for person in (teacher, coach, outsider):
        award(person, catalogue.data, "data")
    award(coach, catalogue.advanced, "advanced")  # also aligned to 2.7
    award(teacher, catalogue.design, "design")  # aligned to 2.5 and 2.6
    framework = Framework.objects.get(code="ISTE-E")

    def badges(**filters) -> dict:
        coverage = coverage_get(district=district, framework=framework, **filters)
        return {row.element.code: row.badges for row in coverage.elements if row.badges}

    assert badges() == {"2.5": 1, "2.6": 1, "2.7": 3}
    assert badges(school=north) == {"2.5": 1, "2.6": 1, "2.7": 1}
    assert badges(role="facilitator") == {"2.7": 2}
    assert badges(school=north, role="facilitator") == {}
    Membership.objects.filter(user=coach).update(is_active=False)
    assert badges() == {"2.5": 1, "2.6": 1, "2.7": 1}


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("first", ["award", "move"])
def test_an_award_and_a_move_of_school_at_the_same_moment_both_count(district, catalogue, first):
    """An award and a change of the learner's school, each in a transaction still open
    while the other writes: the second must wait for the first and see what it wrote."""
    north, south = (School.objects.create(district=district, name=n) for n in ("North", "South"))
    person = MembershipFactory(district=district, school=north).user
    works = {
        "award": lambda: award(person, catalogue.data, "meanwhile"),
        "move": lambda: Membership.objects.filter(user=person).update(school=south),
    }
    second = "move" if first == "award" else "award"
    assert overlapping(works[first], works[second]) == []
    assert held() == held_afresh() == {(district.pk, south.pk, "learner", catalogue.data.pk): 1}
