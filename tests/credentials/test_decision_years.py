"""Each learner's submissions decided per school year (`DecisionYear`) are kept by the
database on every write to the submissions: a decision, a decision moved to another day, a
submission sent back into review, a draft saved (which changes nothing). After each, the
roll-up must equal the submissions counted afresh, with the school year taken from the
decision's day on the site's clock."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from credentials.decision_years import DECISION_YEARS, DISTRICT_DECISIONS
from credentials.models import DecisionYear, DistrictDecisionYear, Submission
from learning.insights import dashboard_get
from learning.models import Membership, School
from learning.selectors import school_year_start
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# The last second of the 2025-26 school year, and the first of 2026-27 (July, UTC).
LAST_OF_YEAR = datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
FIRST_OF_YEAR = datetime(2026, 7, 1, tzinfo=UTC)


def counted_afresh() -> dict:
    totals = defaultdict(lambda: [0, 0, 0, 0.0])
    for s in Submission.objects.filter(
        state__in=Submission.DECIDED_STATES, submitted_at__isnull=False, decided_at__isnull=False
    ):
        row = totals[(s.learner_id, school_year_start(s.decided_at.astimezone(UTC).date()))]
        row[0] += s.state == "earned"
        row[1] += s.state == "not_yet"
        row[2] += 1
        row[3] += (s.decided_at - s.submitted_at).total_seconds()
    return {key: (e, n, d, round(w)) for key, (e, n, d, w) in totals.items()}


def rolled_up() -> dict:
    return {
        (r.user_id, r.year_start): (r.earned, r.not_yet, r.decided, round(r.waited_seconds))
        for r in DecisionYear.objects.all()
        if r.decided
    }


def attempt(learner, micro_credential, **fields) -> Submission:
    """The learner's next attempt at the micro-credential."""
    done = Submission.objects.filter(learner=learner, micro_credential=micro_credential).count()
    return Submission.objects.create(
        learner=learner, micro_credential=micro_credential, attempt=done + 1, **fields
    )


def decision(learner, micro_credential, state: str, decided_at: datetime, waited_days: float):
    return attempt(
        learner,
        micro_credential,
        state=state,
        submitted_at=decided_at - timedelta(days=waited_days),
        decided_at=decided_at,
    )


def test_every_decision_is_counted_in_its_school_year(micro_credential, settings):
    settings.TIME_ZONE = "UTC"
    ana, ben = UserFactory(), UserFactory()
    decision(ana, micro_credential, "earned", LAST_OF_YEAR, 2)
    decision(ana, micro_credential, "not_yet", FIRST_OF_YEAR, 1.5)
    late = decision(ben, micro_credential, "earned", FIRST_OF_YEAR + timedelta(days=3), 4)
    # Not decided, or never sent: not counted.
    cy = UserFactory()
    attempt(UserFactory(), micro_credential, state="draft")
    in_review = attempt(cy, micro_credential, state="in_review", submitted_at=FIRST_OF_YEAR)
    assert rolled_up() == {
        (ana.pk, school_year_start(LAST_OF_YEAR.date())): (1, 0, 1, 2 * 86400),
        (ana.pk, school_year_start(FIRST_OF_YEAR.date())): (0, 1, 1, round(1.5 * 86400)),
        (ben.pk, school_year_start(FIRST_OF_YEAR.date())): (1, 0, 1, 4 * 86400),
    }

    # The review decides: it counts. A decision sent back into review stops counting.
    Submission.objects.filter(pk=in_review.pk).update(
        state="not_yet", decided_at=FIRST_OF_YEAR + timedelta(hours=5)
    )
    assert rolled_up()[(cy.pk, school_year_start(FIRST_OF_YEAR.date()))][:3] == (0, 1, 1)
    Submission.objects.filter(pk=late.pk).update(state="in_review", decided_at=None)
    assert (ben.pk, school_year_start(FIRST_OF_YEAR.date())) not in rolled_up()
    assert rolled_up() == counted_afresh()

    # Saving answers (a column the roll-up does not watch) leaves it as it is.
    before = list(DecisionYear.objects.order_by("pk").values_list("pk", "decided"))
    Submission.objects.update(answers={"reflection": "More."})
    assert list(DecisionYear.objects.order_by("pk").values_list("pk", "decided")) == before

    # Deleting the submissions takes them out.
    Submission.objects.filter(learner=ana).delete()
    assert rolled_up() == counted_afresh()
    assert not any(user == ana.pk for user, _ in rolled_up())


def test_triggers_lost_are_put_back_and_the_submissions_counted_again(micro_credential):
    learner = UserFactory()
    decision(learner, micro_credential, "earned", FIRST_OF_YEAR, 1)
    with connection.cursor() as cursor:  # the trigger on new rows dropped, nothing else
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER credentials_decision_year ON credentials_submission")
        else:
            cursor.execute("DROP TRIGGER credentials_decision_year_insert")
    decision(learner, micro_credential, "not_yet", FIRST_OF_YEAR, 1)
    assert rolled_up() != counted_afresh()
    assert DECISION_YEARS.sync() is True
    assert rolled_up() == counted_afresh()
    assert DECISION_YEARS.sync() is False
    decision(learner, micro_credential, "earned", FIRST_OF_YEAR, 1)
    assert (
        rolled_up()
        == counted_afresh()
        == {(learner.pk, school_year_start(FIRST_OF_YEAR.date())): (2, 1, 3, 3 * 86400)}
    )


@pytest.mark.needs_postgres
def test_the_day_is_the_one_on_the_sites_clock(micro_credential, settings):
    """With the site in Chicago, a decision at 03:00 UTC on the first of July was made on
    the evening of the 30th of June there: in the year before."""
    learner = UserFactory()
    decision(learner, micro_credential, "earned", FIRST_OF_YEAR + timedelta(hours=3), 1)
    settings.TIME_ZONE = "America/Chicago"
    try:
        assert DECISION_YEARS.sync() is True  # the triggers say another zone: summed again
        assert set(rolled_up()) == {(learner.pk, school_year_start(LAST_OF_YEAR.date()))}
    finally:
        settings.TIME_ZONE = "UTC"
        DECISION_YEARS.sync()
    assert set(rolled_up()) == {(learner.pk, school_year_start(FIRST_OF_YEAR.date()))}


# ---- The district's groups: the same per district, school and role ----


def groups() -> dict:
    """The groups' rows (changes not yet compacted included) summed by group."""
    totals = defaultdict(lambda: [0, 0, 0, 0.0])
    for row in DistrictDecisionYear.objects.all():
        key = (row.district_id, row.school_id, row.role, row.year_start)
        for position, column in enumerate(("earned", "not_yet", "decided", "waited_seconds")):
            totals[key][position] += getattr(row, column)
    return {k: (e, n, d, round(w)) for k, (e, n, d, w) in totals.items() if e or n or d or w}


def groups_afresh() -> dict:
    totals = defaultdict(lambda: [0, 0, 0, 0])
    people = counted_afresh()
    for member in Membership.objects.filter(is_active=True):
        for (user_id, year), values in people.items():
            if user_id == member.user_id:
                key = (member.district_id, member.school_id, member.role, year)
                totals[key] = [a + b for a, b in zip(totals[key], values, strict=True)]
    return {key: tuple(value) for key, value in totals.items()}


def test_the_district_groups_follow_decisions_and_members(micro_credential):
    district = DistrictFactory()
    north = School.objects.create(district=district, name="North")
    ana = MembershipFactory(district=district, school=north).user
    ben = MembershipFactory(district=district).user
    decision(ana, micro_credential, "earned", FIRST_OF_YEAR, 2)
    decision(ben, micro_credential, "not_yet", LAST_OF_YEAR, 1)
    assert groups() == groups_afresh()
    assert groups()[(district.pk, north.pk, "learner", FIRST_OF_YEAR.date())] == (
        1,
        0,
        1,
        2 * 86400,
    )
    membership = Membership.objects.get(user=ana)
    membership.role = "facilitator"
    membership.school = None
    membership.save()
    Membership.objects.filter(user=ben).update(is_active=False)
    assert groups() == groups_afresh()
    assert DISTRICT_DECISIONS.compact() == 1
    assert (
        groups()
        == groups_afresh()
        == {(district.pk, None, "facilitator", FIRST_OF_YEAR.date()): (1, 0, 1, 2 * 86400)}
    )


def test_the_dashboard_reads_the_review_outcomes_of_one_school_or_role(micro_credential):
    district = DistrictFactory()
    north = School.objects.create(district=district, name="North")
    ana = MembershipFactory(district=district, school=north).user
    ben = MembershipFactory(district=district, role="facilitator").user
    this_year = school_year_start(date.today())
    decided = datetime.combine(this_year, datetime.min.time(), tzinfo=UTC) + timedelta(days=9)
    decision(ana, micro_credential, "earned", decided, 2)
    decision(ben, micro_credential, "not_yet", decided, 4)

    def figures(**filters) -> dict:
        dashboard = dashboard_get(district=district, year_start=this_year, **filters)
        return {f.label: f.now for f in dashboard.figures}

    everyone = figures()
    assert everyone["Evidence reviews: earned"] == 1
    assert everyone["Evidence reviews: not yet"] == 1
    assert everyone["Days from submission to decision (average)"] == 3.0
    assert figures(school=north)["Evidence reviews: not yet"] == 0
    assert figures(role="facilitator")["Days from submission to decision (average)"] == 4.0
