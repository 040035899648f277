import datetime as dt

import pytest
from django.utils import timezone

from learning.cohorts import services
from learning.models import Membership
from tests.factories import BookPageFactory, DistrictFactory, MembershipFactory, UserFactory


def book_sections(count: int) -> list[dict]:
    return [
        {
            "type": "section",
            "value": {
                "number": n,
                "title": f"Part {n}",
                "pages": f"{n * 10 - 9}–{n * 10}",
                "discussion_prompts": [f"Prompt {n}a?", f"Prompt {n}b?"],
            },
        }
        for n in range(1, count + 1)
    ]


@pytest.fixture
def home(db):
    from cms.demo import site_tree_ensure

    return site_tree_ensure()


@pytest.fixture
def book(home):
    return BookPageFactory(parent=home, title="Leading Together", sections=book_sections(3))


@pytest.fixture
def riverside(db):
    return DistrictFactory(name="Riverside Unified", slug="riverside", time_zone="America/Chicago")


@pytest.fixture
def admin(riverside):
    return MembershipFactory(
        district=riverside,
        role=Membership.Role.DISTRICT_ADMIN,
        user=UserFactory(display_name="Dee Admin"),
    ).user


def district_member(district, **fields):
    return MembershipFactory(district=district, **fields).user


def next_week() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


def make_cohort(district, book, by, *, capacity=None, visibility="district", open_=True, **fields):
    cohort = services.cohort_create(
        district=district,
        created_by=by,
        title=fields.pop("title", "Reading together"),
        book=book,
        facilitators=fields.pop("facilitators", [by]),
        start_date=fields.pop("start_date", next_week()),
        weekday=fields.pop("weekday", 1),
        time_of_day=fields.pop("time_of_day", dt.time(16, 0)),
        duration_minutes=fields.pop("duration_minutes", 60),
        capacity=capacity,
        visibility=visibility,
        **fields,
    )
    if open_:
        cohort = services.cohort_open(cohort=cohort)
    return cohort


@pytest.fixture
def cohort(riverside, book, admin):
    return make_cohort(riverside, book, admin)
