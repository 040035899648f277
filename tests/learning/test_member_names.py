"""A district's members are read by name from the membership's own copy of it
(`Membership.member_name`, kept by learning 0022's triggers), so the members screen pages
through an index instead of sorting the whole district. The copy follows every way a
name or a membership is written."""

import pytest
from django.db import connection

from accounts.models import User
from learning.models import Membership
from learning.selectors import district_member_list, district_roster_list
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return [member.user.display_name for member in queryset]


def kept(membership) -> str:
    return Membership.objects.values_list("member_name", flat=True).get(pk=membership.pk)


def test_the_copy_follows_every_write_of_a_name_or_a_membership():
    district = DistrictFactory()
    ana = MembershipFactory(district=district, user=UserFactory(display_name="Ana Díaz"))
    assert kept(ana) == "Ana Díaz"  # written with the membership

    ana.user.display_name = "Ana Díaz-Ruiz"
    ana.user.save()
    assert kept(ana) == "Ana Díaz-Ruiz"  # the person renamed

    User.objects.filter(pk=ana.user_id).update(display_name="A. Díaz")
    assert kept(ana) == "A. Díaz"  # in bulk

    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET display_name = 'Ana' WHERE id = %s", [ana.user_id])
    assert kept(ana) == "Ana"  # by hand

    ana.refresh_from_db()
    ana.is_active = False
    ana.member_name = "stale"  # Leap never writes it; a save of the whole row cannot either
    ana.save()
    assert kept(ana) == "Ana"

    ben = UserFactory(display_name="Ben Okafor")
    Membership.objects.filter(pk=ana.pk).update(user=ben)
    assert kept(ana) == "Ben Okafor"  # the membership given to someone else

    many = Membership.objects.bulk_create(
        Membership(
            user=UserFactory(display_name=f"Person {n}"), district=district, joined_via="admin"
        )
        for n in range(3)
    )
    assert [kept(member) for member in many] == ["Person 0", "Person 1", "Person 2"]


def test_members_are_listed_active_first_then_by_name_as_it_is_now():
    district = DistrictFactory()
    for name in ("Carla", "Ana", "Bea", "Dev"):
        MembershipFactory(district=district, user=UserFactory(display_name=name))
    MembershipFactory(district=district, user=UserFactory(display_name="Abe"), is_active=False)
    MembershipFactory(user=UserFactory(display_name="Aaron"))  # another district's
    assert names(district_member_list(district=district)) == ["Ana", "Bea", "Carla", "Dev", "Abe"]

    User.objects.filter(display_name="Dev").update(display_name="Aa Dev")
    assert names(district_member_list(district=district)) == [
        "Aa Dev",
        "Ana",
        "Bea",
        "Carla",
        "Abe",
    ]
    assert names(district_roster_list(district=district)) == ["Aa Dev", "Ana", "Bea", "Carla"]


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("first", ["join", "rename"])
def test_a_membership_and_a_rename_at_the_same_moment_keep_the_new_name(first):
    """Under READ COMMITTED, a membership written while its person's rename is open (or the
    other way round) would keep the old name for good: the rename's trigger cannot see the
    uncommitted membership, nor the membership's the uncommitted name."""
    from tests.overlapping import overlapping

    district = DistrictFactory()
    person = UserFactory(display_name="Old Name")
    works = {
        "join": lambda: Membership.objects.create(
            user=person, district=district, joined_via="admin"
        ),
        "rename": lambda: User.objects.filter(pk=person.pk).update(display_name="New Name"),
    }
    second = "rename" if first == "join" else "join"
    assert overlapping(works[first], works[second]) == []
    assert kept(Membership.objects.get(user=person)) == "New Name"
