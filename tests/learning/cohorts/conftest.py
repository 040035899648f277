"""Fixtures of the book-club tests: the site, a book, the Riverside district (Chicago time)
and its admin, and a club they started. The makers behind them are in factories.py; a
module that needs its own club (meetings in the past, a rule) overrides `cohort`."""

import pytest

from learning.models import Membership
from tests.factories import BookPageFactory, DistrictFactory, UserFactory
from tests.learning.cohorts.factories import book_sections, cohort_start, district_member, site_home


@pytest.fixture
def home(db):
    return site_home()


@pytest.fixture
def book(home):
    return BookPageFactory(parent=home, title="Leading Together", sections=book_sections(3))


@pytest.fixture
def district(db):
    return DistrictFactory(name="Riverside Unified", slug="riverside", time_zone="America/Chicago")


@pytest.fixture
def admin(district):
    return district_member(
        district, role=Membership.Role.DISTRICT_ADMIN, user=UserFactory(display_name="Dee Admin")
    )


@pytest.fixture
def cohort(district, book, admin):
    return cohort_start(district, book, admin)
