"""Who may see and run a cohort: everyone else gets a 404."""

import datetime as dt

import pytest
from django.http import Http404

from learning.cohorts.permissions import (
    can_create_in,
    cohort_for_facilitator,
    cohort_for_participant,
)
from learning.models import Cohort, CohortMember, Membership
from tests.factories import BookPageFactory, DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(db):
    from cms.demo import site_tree_ensure

    return Cohort.objects.create(
        district=DistrictFactory(slug="riverside"),
        title="Reading together",
        book=BookPageFactory(parent=site_tree_ensure()),
        time_zone="America/Chicago",
        start_date=dt.date(2027, 1, 11),
    )


def person_in(cohort, **fields):
    user = UserFactory()
    CohortMember.objects.create(cohort=cohort, user=user, **fields)
    return user


def test_members_facilitators_and_district_admins_see_it_others_get_404(cohort):
    member = person_in(cohort)
    facilitator = person_in(cohort, role=CohortMember.Role.FACILITATOR)
    admin = UserFactory()
    MembershipFactory(user=admin, district=cohort.district, role=Membership.Role.DISTRICT_ADMIN)
    for user in (member, facilitator, admin):
        assert cohort_for_participant(user, cohort.pk) == cohort

    waiting = person_in(cohort, state=CohortMember.State.WAITING)
    left = person_in(cohort, state=CohortMember.State.LEFT)
    colleague = UserFactory()
    MembershipFactory(user=colleague, district=cohort.district)
    other_admin = UserFactory()
    MembershipFactory(user=other_admin, role=Membership.Role.DISTRICT_ADMIN)
    for user in (waiting, left, colleague, other_admin):
        with pytest.raises(Http404):
            cohort_for_participant(user, cohort.pk)


def test_only_facilitators_and_district_admins_run_it(cohort):
    facilitator = person_in(cohort, role=CohortMember.Role.FACILITATOR)
    admin = UserFactory()
    MembershipFactory(user=admin, district=cohort.district, role=Membership.Role.DISTRICT_ADMIN)
    assert cohort_for_facilitator(facilitator, cohort.pk) == cohort
    assert cohort_for_facilitator(admin, cohort.pk) == cohort
    with pytest.raises(Http404):
        cohort_for_facilitator(person_in(cohort), cohort.pk)

    district_facilitator = UserFactory()
    MembershipFactory(
        user=district_facilitator, district=cohort.district, role=Membership.Role.FACILITATOR
    )
    assert can_create_in(district_facilitator, cohort.district_id)
    assert not can_create_in(person_in(cohort), cohort.district_id)
