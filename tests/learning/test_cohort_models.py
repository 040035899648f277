"""The cohort tables keep their own rules, whatever code writes to them."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from learning.models import Cohort, CohortMember
from tests.factories import (
    BookPageFactory,
    DistrictFactory,
    PathwayPageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_page(db):
    from cms.demo import site_tree_ensure

    return site_tree_ensure()


def cohort_of(site_root, **fields):
    defaults = {
        "district": DistrictFactory(),
        "title": "Reading together",
        "time_zone": "America/Chicago",
        "start_date": dt.date(2027, 1, 11),
    }
    return Cohort.objects.create(**{**defaults, **fields})


def test_a_cohort_reads_a_book_or_follows_a_pathway_never_both_nor_neither(home_page):
    book = BookPageFactory(parent=home_page)
    pathway = PathwayPageFactory(parent=home_page)
    assert cohort_of(home_page, book=book).book == book
    assert cohort_of(home_page, pathway=pathway).pathway == pathway
    for fields in ({}, {"book": book, "pathway": pathway}):
        with pytest.raises(IntegrityError), transaction.atomic():
            cohort_of(home_page, **fields)


def test_a_person_has_one_place_in_a_cohort_and_each_gets_their_own_secrets(home_page):
    cohort = cohort_of(home_page, book=BookPageFactory(parent=home_page))
    ana, ben = UserFactory(), UserFactory()
    first = CohortMember.objects.create(cohort=cohort, user=ana)
    second = CohortMember.objects.create(cohort=cohort, user=ben)
    assert first.calendar_token != second.calendar_token and len(first.calendar_token) >= 32
    assert len(cohort.join_code) == 8 and cohort.join_code.isalnum()
    with pytest.raises(IntegrityError), transaction.atomic():
        CohortMember.objects.create(cohort=cohort, user=ana)
