"""Cohorts, sessions and people made directly with the ORM, for the participation tests
(discussion, RSVP, attendance, roster)."""

import datetime as dt

from django.utils import timezone

from learning.models import Cohort, CohortMember, CohortSession, Membership
from tests.factories import BookPageFactory, DistrictFactory, MembershipFactory, UserFactory


def cohort_make(*, title: str = "Reading together", district=None) -> Cohort:
    from cms.demo import site_tree_ensure

    return Cohort.objects.create(
        district=district or DistrictFactory(),
        title=title,
        book=BookPageFactory(parent=site_tree_ensure()),
        time_zone="America/Chicago",
        start_date=dt.date(2027, 1, 11),
        status=Cohort.Status.OPEN,
    )


def session_make(cohort: Cohort, *, number: int = 1, starts_in=dt.timedelta(days=2), **fields):
    fields.setdefault("title", f"Chapter {number}")
    fields.setdefault("prompts", ["What surprised you?", "What will you try first?"])
    return CohortSession.objects.create(
        cohort=cohort, number=number, starts_at=timezone.now() + starts_in, **fields
    )


def person_in(cohort: Cohort, *, name: str = "", **fields):
    user = UserFactory(**({"display_name": name} if name else {}))
    CohortMember.objects.create(cohort=cohort, user=user, **fields)
    return user


def facilitator_of(cohort: Cohort, *, name: str = "Fran Facilitator"):
    return person_in(cohort, name=name, role=CohortMember.Role.FACILITATOR)


def district_admin_of(cohort: Cohort):
    user = UserFactory()
    MembershipFactory(user=user, district=cohort.district, role=Membership.Role.DISTRICT_ADMIN)
    return user


def outsiders(cohort: Cohort) -> list:
    """People who must get a 404: someone waiting, someone who left, a colleague in the
    district, another district's admin and a facilitator of another cohort."""
    colleague = UserFactory()
    MembershipFactory(user=colleague, district=cohort.district)
    other_admin = UserFactory()
    MembershipFactory(user=other_admin, role=Membership.Role.DISTRICT_ADMIN)
    other_cohort = cohort_make(title="Another club")
    return [
        person_in(cohort, state=CohortMember.State.WAITING),
        person_in(cohort, state=CohortMember.State.LEFT),
        colleague,
        other_admin,
        facilitator_of(other_cohort, name="Other facilitator"),
    ]
