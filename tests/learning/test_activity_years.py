"""Each learner's activity per school year (`ActivityYear`) is kept by the database on every
write to the tables it sums, whichever way it comes. For the ledger: one credit, a bulk
award with repeats, a revocation, a badge from elsewhere that verifies again, an entry
moved, a person deleted. For enrolments and self-assessments: started, completed, a
completion undone or moved, deleted. After each, the roll-up must equal the tables summed
afresh. A change of the school year's first month sums them again, and the district's
figures read the roll-up."""

import threading
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page

from accounts.tasks import rollup_groups_compact, rollup_groups_mend
from learning import services
from learning.activity_years import ACTIVITY_YEARS, CREDIT_YEARS, DISTRICT_ACTIVITY
from learning.insights import dashboard_get, year_hours
from learning.models import (
    ActivityYear,
    CreditEntry,
    DistrictActivityYear,
    Enrolment,
    Membership,
    School,
    SelfAssessment,
)
from learning.selectors import school_year_start
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    PathwayPageFactory,
    UserFactory,
    self_assessment_finished,
)
from tests.overlapping import overlapping

pytestmark = pytest.mark.django_db

AUGUST, MARCH, JUNE = date(2026, 8, 3), date(2027, 3, 1), date(2026, 6, 30)


def summed_afresh() -> dict:
    """The ledger's standing entries summed by learner and school year, as the roll-up must
    hold them (rows left at nothing by a revocation count as absent)."""
    totals = defaultdict(lambda: [0, Decimal("0")])
    for entry in CreditEntry.objects.filter(voided_at__isnull=True):
        key = (entry.user_id, school_year_start(entry.earned_on))
        totals[key][0] += entry.source in ("badge", "external")
        totals[key][1] += entry.hours
    return {key: tuple(value) for key, value in totals.items()}


def rolled_up() -> dict:
    """The roll-up's credit columns, by learner and school year."""
    return {
        (row.user_id, row.year_start): (row.badges, row.hours)
        for row in ActivityYear.objects.all()
        if row.badges or row.hours
    }


def earn(user, key: str, on: date, hours: str = "2", **kwargs):
    return services.badge_earned(
        user=user,
        micro_credential_id=None,
        title="A badge",
        hours=Decimal(hours),
        earned_on=on,
        key=key,
        **kwargs,
    )


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def activity_afresh() -> dict:
    """Pathways started and completed and self-assessments finished, by learner and school
    year of each (a timestamp's day on the site's clock), as the roll-up must hold them."""
    totals = defaultdict(lambda: [0, 0, 0])

    def year(moment):
        return school_year_start(timezone.localtime(moment).date())

    for enrolment in Enrolment.objects.all():
        totals[(enrolment.user_id, year(enrolment.enrolled_at))][0] += 1
        if enrolment.completed_at:
            totals[(enrolment.user_id, year(enrolment.completed_at))][1] += 1
    for take in SelfAssessment.objects.filter(completed_at__isnull=False):
        totals[(take.user_id, year(take.completed_at))][2] += 1
    return {key: tuple(value) for key, value in totals.items()}


def activity() -> dict:
    """The roll-up's pathway and self-assessment columns, by learner and school year."""
    return {
        (row.user_id, row.year_start): (
            row.pathways_started,
            row.pathways_completed,
            row.assessments,
        )
        for row in ActivityYear.objects.all()
        if row.pathways_started or row.pathways_completed or row.assessments
    }


def enrolled(user, when: datetime, completed: datetime | None = None) -> Enrolment:
    enrolment = Enrolment.objects.create(
        user=user, pathway=PathwayPageFactory(parent=Page.objects.get(depth=1)), pathway_title="P"
    )
    # `enrolled_at` is set on insert (auto_now_add): moved as an import or a fix would.
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=when, completed_at=completed)
    return enrolment


def finished(user, when: datetime) -> SelfAssessment:
    take = self_assessment_finished(user)
    SelfAssessment.objects.filter(pk=take.pk).update(completed_at=when)
    return take


def test_pathways_and_self_assessments_are_summed_on_every_write():
    ana, ben = UserFactory(), UserFactory()
    first = enrolled(ana, at(JUNE))  # started in 2025-26, still open
    enrolled(ana, at(AUGUST), completed=at(MARCH))
    enrolled(ben, at(AUGUST))
    assert activity() == {
        (ana.pk, date(2025, 7, 1)): (1, 0, 0),
        (ana.pk, date(2026, 7, 1)): (1, 1, 0),
        (ben.pk, date(2026, 7, 1)): (1, 0, 0),
    }
    # Completed, then the completion undone, then moved to another year.
    Enrolment.objects.filter(pk=first.pk).update(completed_at=at(AUGUST))
    assert activity()[(ana.pk, date(2026, 7, 1))] == (1, 2, 0)
    Enrolment.objects.filter(pk=first.pk).update(completed_at=None)
    assert activity()[(ana.pk, date(2026, 7, 1))] == (1, 1, 0)
    Enrolment.objects.filter(pk=first.pk).update(completed_at=at(JUNE))
    assert activity()[(ana.pk, date(2025, 7, 1))] == (1, 1, 0)
    assert activity() == activity_afresh()

    # A take counts once finished, in the year it was finished; one begun does not.
    take = finished(ben, at(MARCH))
    begun = services.assessment_start(user=ben, framework=take.framework)
    assert begun.completed_at is None
    assert activity()[(ben.pk, date(2026, 7, 1))] == (1, 0, 1)
    SelfAssessment.objects.filter(pk=take.pk).update(completed_at=at(JUNE))
    assert activity()[(ben.pk, date(2025, 7, 1))] == (0, 0, 1)
    # An update of nothing watched (a rating's note, the take's time of change) moves nothing.
    SelfAssessment.objects.filter(pk=take.pk).update(updated_at=at(MARCH))
    assert activity() == activity_afresh()

    Enrolment.objects.filter(user=ana).delete()
    SelfAssessment.objects.filter(pk=take.pk).delete()
    assert activity() == activity_afresh() == {(ben.pk, date(2026, 7, 1)): (1, 0, 0)}
    ben.delete()
    assert activity() == activity_afresh() == {}


def test_the_dashboard_counts_pathways_and_self_assessments_from_the_roll_up(district):
    this_year = school_year_start(date.today())
    last_year = this_year.replace(year=this_year.year - 1)
    teacher = MembershipFactory(district=district).user
    coach = MembershipFactory(district=district).user
    outsider = UserFactory()  # not a member: never counted
    enrolled(teacher, at(last_year), completed=at(this_year))
    enrolled(teacher, at(this_year))
    enrolled(coach, at(last_year))  # in progress since last year
    enrolled(outsider, at(this_year))
    finished(coach, at(this_year))
    finished(teacher, at(last_year))
    figures = {
        f.label: (f.now, f.before)
        for f in dashboard_get(district=district, year_start=this_year).figures
    }
    assert figures["Pathways started"] == (1, 2)
    assert figures["Pathways completed"] == (1, 0)
    assert figures["Pathways in progress now"] == (2, None)
    assert figures["Self-assessments finished"] == (1, 1)


def test_every_write_to_the_ledger_is_summed_at_once(settings):
    settings.LEAP_SCHOOL_YEAR_START_MONTH = 7  # as the triggers were installed
    ana, ben = UserFactory(), UserFactory()
    earn(ana, "a1", AUGUST, "2.5")
    earn(ana, "a2", MARCH, "1")
    earn(ana, "a1", AUGUST, "9")  # told twice: credited once
    earn(ben, "b1", JUNE, "4")
    assert rolled_up() == {
        (ana.pk, date(2026, 7, 1)): (2, Decimal("3.5")),
        (ben.pk, date(2025, 7, 1)): (1, Decimal("4.0")),
    }

    services.badges_earned(
        earned=[
            services.BadgeEarned(ana, None, "Bulk", Decimal("1.5"), AUGUST, "bulk-1"),
            services.BadgeEarned(ana, None, "Bulk", Decimal("7"), AUGUST, "a2"),  # a repeat
            services.BadgeEarned(ben, None, "Bulk", Decimal("3"), MARCH, "bulk-2"),
        ]
    )
    assert rolled_up()[(ana.pk, date(2026, 7, 1))] == (3, Decimal("5.0"))
    assert rolled_up() == summed_afresh()

    services.badge_withdrawn(user=ana, key="a2", reason="Revoked")
    assert rolled_up()[(ana.pk, date(2026, 7, 1))] == (2, Decimal("4.0"))

    # A pathway's hours count, but not as a badge.
    CreditEntry.objects.create(
        user=ben,
        source=CreditEntry.Source.PATHWAY,
        source_key="pathway:1",
        title="A pathway",
        hours=Decimal("6"),
        earned_on=MARCH,
    )
    assert rolled_up()[(ben.pk, date(2026, 7, 1))] == (1, Decimal("9.0"))

    # An entry moved to another day leaves one school year for the other.
    CreditEntry.objects.filter(user=ben, source_key="badge:b1").update(earned_on=AUGUST)
    assert (ben.pk, date(2025, 7, 1)) not in rolled_up()
    assert rolled_up() == summed_afresh()

    ben.delete()
    assert not ActivityYear.objects.filter(user_id=ben.pk).exists()
    assert rolled_up() == summed_afresh()


def test_a_badge_from_elsewhere_counts_again_when_it_verifies_again(district):
    district.external_badge_issuers = "https://issuer.example/"
    district.save()
    teacher = MembershipFactory(district=district).user

    def verified():
        return services.external_badge_counted(
            user=teacher,
            issuer_id="https://issuer.example/",
            title="Coach",
            earned_on=AUGUST,
            key="x1",
            url="",
            expires_on=None,
        )

    verified()
    assert rolled_up()[(teacher.pk, school_year_start(AUGUST))][0] == 1
    services.external_badge_withdrawn(user=teacher, key="x1", reason="No longer verifies")
    assert (teacher.pk, school_year_start(AUGUST)) not in rolled_up()
    verified()
    assert rolled_up()[(teacher.pk, school_year_start(AUGUST))][0] == 1
    assert rolled_up() == summed_afresh()


def test_a_new_first_month_sums_the_ledger_again(settings):
    learner = UserFactory()
    earn(learner, "a1", AUGUST)
    earn(learner, "a2", MARCH)
    assert CREDIT_YEARS.sync() is False  # in step: nothing to do
    try:
        settings.LEAP_SCHOOL_YEAR_START_MONTH = 9
        assert CREDIT_YEARS.sync() is True
        assert rolled_up() == {
            (learner.pk, date(2025, 9, 1)): (1, Decimal("2.0")),
            (learner.pk, date(2026, 9, 1)): (1, Decimal("2.0")),
        }
        earn(learner, "a3", date(2026, 9, 2))  # the triggers count September's years now
        assert rolled_up() == summed_afresh()
    finally:
        settings.LEAP_SCHOOL_YEAR_START_MONTH = 7
        CREDIT_YEARS.sync()
    assert rolled_up() == summed_afresh()
    assert set(rolled_up()) == {(learner.pk, date(2026, 7, 1))}


def test_an_emptied_roll_up_is_summed_again(settings):
    learner = UserFactory()
    earn(learner, "a1", AUGUST)
    finished(learner, at(AUGUST))
    ActivityYear.objects.all().delete()
    assert [rollup.sync() for rollup in ACTIVITY_YEARS] == [True, False, False, True]
    assert rolled_up() == summed_afresh() != {}
    assert activity() == activity_afresh() != {}


def test_triggers_lost_are_put_back_and_what_they_missed_is_summed():
    learner = UserFactory()
    earn(learner, "a1", AUGUST)
    with connection.cursor() as cursor:
        for statement in CREDIT_YEARS.drop_statements(connection.vendor):
            cursor.execute(statement)
    earn(learner, "a2", AUGUST)  # unseen: no trigger
    assert rolled_up() != summed_afresh()
    assert CREDIT_YEARS.sync() is True
    assert rolled_up() == summed_afresh()
    earn(learner, "a3", AUGUST)  # the triggers are back
    assert rolled_up() == {(learner.pk, date(2026, 7, 1)): (3, Decimal("6.0"))}


def test_a_wrong_first_month_is_refused(settings):
    settings.LEAP_SCHOOL_YEAR_START_MONTH = 13
    with pytest.raises(ImproperlyConfigured, match="1 to 12"):
        CREDIT_YEARS.sync()


def test_the_district_figures_read_the_roll_up(district):
    teacher = MembershipFactory(district=district).user
    this_year = school_year_start(date.today())
    earn(teacher, "a1", this_year, "3")
    earn(teacher, "a2", this_year, "2")
    services.badge_withdrawn(user=teacher, key="a2", reason="Revoked")
    figures = {
        f.label: f.now for f in dashboard_get(district=district, year_start=this_year).figures
    }
    assert figures["Badges earned"] == 1
    assert figures["PD hours credited"] == 3.0
    hours = Membership.objects.filter(user=teacher).annotate(hours=year_hours(this_year))
    assert hours.get().hours == Decimal("3.0")
    with pytest.raises(ValueError, match="not the first day of a school year"):
        dashboard_get(district=district, year_start=this_year.replace(day=2))


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_credits_at_the_same_moment_all_count():
    """Eight credits to one learner's school year in eight transactions at once: the
    upsert adds each to the row rather than one overwriting another."""
    learner = UserFactory()
    barrier = threading.Barrier(8)
    errors = []

    def credit(number: int):
        try:
            barrier.wait()
            earn(learner, f"c{number}", AUGUST, "1.5")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=credit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert rolled_up() == {(learner.pk, date(2026, 7, 1)): (8, Decimal("12.0"))}


def test_the_command_puts_switched_off_triggers_back_and_sums_again():
    learner = UserFactory()
    with connection.cursor() as cursor:  # as a restore with --disable-triggers leaves them
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE learning_creditentry DISABLE TRIGGER USER")
        else:
            for statement in CREDIT_YEARS.drop_statements(connection.vendor):
                cursor.execute(statement)
    earn(learner, "a1", AUGUST)  # unseen: the triggers are off
    assert rolled_up() == {}
    out = StringIO()
    call_command("rollups_sync", stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        "learning_credit_year (learning_creditentry into learning_activityyear): summed again"
        in (lines)
    )
    assert (
        "learning_assessment_year (learning_selfassessment into learning_activityyear): in step"
    ) in lines
    assert "credentials_decisionyear): in step" in out.getvalue()
    earn(learner, "a2", AUGUST)
    assert rolled_up() == summed_afresh() == {(learner.pk, date(2026, 7, 1)): (2, Decimal("4.0"))}
    out = StringIO()
    call_command("rollups_sync", "--rebuild", stdout=out)
    assert out.getvalue().count("summed again") == 8  # the district groups too
    assert rolled_up() == summed_afresh()


# ---- The district figures: the same sums per district, school and role ----

SUMS = ("badges", "hours", "pathways_started", "pathways_completed", "assessments")


def groups_afresh() -> dict:
    """Each active membership's person's years, summed by district, school, role and year."""
    totals = defaultdict(lambda: [0] * len(SUMS))
    people = defaultdict(list)
    for row in ActivityYear.objects.all():
        people[row.user_id].append(row)
    for member in Membership.objects.filter(is_active=True):
        for row in people[member.user_id]:
            key = (member.district_id, member.school_id, member.role, row.year_start)
            for position, column in enumerate(SUMS):
                totals[key][position] += getattr(row, column)
    return {key: tuple(value) for key, value in totals.items() if any(value)}


def groups() -> dict:
    """The groups' rows (changes not yet compacted included) summed by group."""
    totals = defaultdict(lambda: [0] * len(SUMS))
    for row in DistrictActivityYear.objects.all():
        key = (row.district_id, row.school_id, row.role, row.year_start)
        for position, column in enumerate(SUMS):
            totals[key][position] += getattr(row, column)
    return {key: tuple(value) for key, value in totals.items() if any(value)}


def test_the_district_groups_follow_activity_and_every_move_of_a_membership(district):
    north, south = (School.objects.create(district=district, name=n) for n in ("North", "South"))
    other = DistrictFactory()
    ana = MembershipFactory(district=district, school=north).user
    elsewhere = MembershipFactory(user=ana, district=other, role="facilitator")
    earn(ana, "a1", AUGUST, "2")
    enrolled(ana, at(AUGUST), completed=at(MARCH))
    finished(ana, at(JUNE))
    assert groups() == groups_afresh()
    year = date(2026, 7, 1)
    assert groups()[(district.pk, north.pk, "learner", year)] == (1, Decimal("2.0"), 1, 1, 0)
    assert groups()[(other.pk, None, "facilitator", year)] == (1, Decimal("2.0"), 1, 1, 0)

    membership = Membership.objects.get(user=ana, district=district)
    for change in (
        {"school": south},  # moved to another school
        {"role": "facilitator"},
        {"is_active": False},  # left: counted nowhere in the district
        {"is_active": True},
        {"school": None},
    ):
        for name, value in change.items():
            setattr(membership, name, value)
        membership.save()
        assert groups() == groups_afresh(), change
    assert (district.pk, north.pk, "learner", year) not in groups()

    earn(ana, "a2", MARCH, "1.5")  # counted in each group she is in now
    north.delete()
    south.delete()
    elsewhere.delete()
    assert groups() == groups_afresh()
    MembershipFactory(user=ana, district=other)  # joins again: her years come with her
    assert groups()[(other.pk, None, "learner", year)] == (2, Decimal("3.5"), 1, 1, 0)
    ana.delete()
    assert groups() == groups_afresh() == {}


def test_compacting_leaves_a_row_a_group_and_the_same_sums(district):
    people = [MembershipFactory(district=district).user for _ in range(3)]
    for number, person in enumerate(people):
        earn(person, f"a{number}", AUGUST)
        earn(person, f"b{number}", MARCH)
    services.badge_withdrawn(user=people[0], key="a0", reason="Revoked")
    before = groups()
    assert DistrictActivityYear.objects.count() > len(before)
    assert DISTRICT_ACTIVITY.compact() == len(before) == 1
    assert groups() == before == groups_afresh()
    assert DISTRICT_ACTIVITY.sync() is False  # in step: compacts, nothing more
    assert DistrictActivityYear.objects.count() == 1


def test_lost_group_triggers_are_put_back_and_summed_again(district):
    person = MembershipFactory(district=district).user
    earn(person, "a1", AUGUST)
    with connection.cursor() as cursor:
        for statement in DISTRICT_ACTIVITY.drop_statements(connection.vendor):
            cursor.execute(statement)
    earn(person, "a2", AUGUST)  # unseen by the groups
    assert groups() != groups_afresh()
    assert DISTRICT_ACTIVITY.sync() is True
    assert groups() == groups_afresh()
    earn(person, "a3", AUGUST)
    assert groups() == groups_afresh()
    DistrictActivityYear.objects.all().delete()  # emptied: summed again
    assert DISTRICT_ACTIVITY.sync() is True
    assert groups() == groups_afresh() != {}


def test_the_dashboard_reads_the_groups_of_one_school_or_role(district):
    this_year = school_year_start(date.today())
    north = School.objects.create(district=district, name="North")
    teacher = MembershipFactory(district=district, school=north).user
    coach = MembershipFactory(district=district, role="facilitator").user
    earn(teacher, "t1", this_year, "3")
    earn(coach, "c1", this_year, "2")
    enrolled(coach, at(this_year))

    def figures(**filters) -> dict:
        dashboard = dashboard_get(district=district, year_start=this_year, **filters)
        return {f.label: f.now for f in dashboard.figures}

    assert figures()["PD hours credited"] == 5.0
    assert figures(school=north)["PD hours credited"] == 3.0
    assert figures(role="facilitator")["PD hours credited"] == 2.0
    assert figures(role="facilitator")["Pathways in progress now"] == 1
    assert figures(school=north, role="facilitator")["Badges earned"] == 0
    DISTRICT_ACTIVITY.compact()
    assert figures(school=north)["PD hours credited"] == 3.0


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_awards_to_one_school_at_the_same_moment_neither_wait_nor_deadlock(district):
    """Eight learners of one school credited in eight transactions at once, each holding
    its transaction open a moment: the groups' rows are only ever added, so none waits on
    another's row and all count."""
    school = School.objects.create(district=district, name="North")
    people = [MembershipFactory(district=district, school=school).user for _ in range(8)]
    barrier = threading.Barrier(8)
    errors = []

    def credit(person):
        try:
            with transaction.atomic():
                barrier.wait()
                earn(person, "x", AUGUST, "1.5")
                earn(people[0], f"x{person.pk}", AUGUST, "1")  # and one learner all share
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.2)")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=credit, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert groups()[(district.pk, school.pk, "learner", date(2026, 7, 1))][:2] == (
        16,
        Decimal("20.0"),
    )
    assert groups() == groups_afresh()


def test_beat_compacts_every_districts_groups(district, settings):
    person = MembershipFactory(district=district).user
    for number in range(3):
        earn(person, f"a{number}", AUGUST)
    entry = settings.CELERY_BEAT_SCHEDULE["rollup-groups-compact"]
    assert entry["task"] == rollup_groups_compact.name
    assert rollup_groups_compact() == {
        "learning_districtactivityyear": 1,
        "learning_districtbadgecount": 0,  # badges on no page: counted on none
        "credentials_districtdecisionyear": 0,
    }
    assert (
        groups()
        == groups_afresh()
        == {(district.pk, None, "learner", date(2026, 7, 1)): (3, Decimal("6.0"), 0, 0, 0)}
    )


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("first", ["credit", "move"])
def test_a_credit_and_a_move_of_school_at_the_same_moment_both_count(district, first):
    """A credit and a change of the learner's school, each in a transaction still open
    while the other writes: whichever commits second must see the first, or the credit
    stays in the old school's group (or the move leaves it behind) for good."""
    north, south = (School.objects.create(district=district, name=n) for n in ("North", "South"))
    person = MembershipFactory(district=district, school=north).user
    earn(person, "before", AUGUST, "1")
    works = {
        "credit": lambda: earn(person, "meanwhile", AUGUST, "2"),
        "move": lambda: Membership.objects.filter(user=person).update(school=south),
    }
    second = "move" if first == "credit" else "credit"
    assert overlapping(works[first], works[second]) == []
    year = date(2026, 7, 1)
    assert (
        groups()
        == groups_afresh()
        == {(district.pk, south.pk, "learner", year): (2, Decimal("3.0"), 0, 0, 0)}
    )


def test_the_nightly_mend_finds_groups_that_drifted_and_sums_them_again(district, caplog, settings):
    person = MembershipFactory(district=district).user
    earn(person, "a1", AUGUST, "2.5")
    assert DISTRICT_ACTIVITY.drift() == 0
    mend = settings.CELERY_BEAT_SCHEDULE["rollup-groups-mend"]
    assert mend["task"] == rollup_groups_mend.name
    assert rollup_groups_mend() == {
        "learning_districtactivityyear": 0,
        "learning_districtbadgecount": 0,
        "credentials_districtdecisionyear": 0,
    }
    # Written past the triggers (a restore, a copy of one table): one group off, one made up.
    DistrictActivityYear.objects.filter(district_id=district.pk).update(hours=Decimal("9"))
    DistrictActivityYear.objects.create(
        district_id=district.pk + 1000,
        school_id=None,
        role="learner",
        year_start=date(2026, 7, 1),
        badges=1,
        hours=0,
        pathways_started=0,
        pathways_completed=0,
        assessments=0,
    )
    assert DISTRICT_ACTIVITY.drift() == 3  # one kept wrongly, one made up, one fresh not kept
    assert rollup_groups_mend()["learning_districtactivityyear"] == 3
    assert "3 groups differed from a fresh sum" in caplog.text
    assert DISTRICT_ACTIVITY.drift() == 0
    assert (
        groups()
        == groups_afresh()
        == {(district.pk, None, "learner", date(2026, 7, 1)): (1, Decimal("2.5"), 0, 0, 0)}
    )
