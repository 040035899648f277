"""Each learner's standing credit per school year (`CreditYear`) is kept by the database on
every write to the ledger, whichever way it comes: one credit, a bulk award with repeats,
a revocation, a badge from elsewhere that verifies again, an entry moved, a person deleted.
After each, the roll-up must equal the ledger summed afresh. A change of the school year's
first month sums the ledger again, and the district's figures read the roll-up."""

import threading
from collections import defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from learning import services
from learning.credit_years import CREDIT_YEARS
from learning.insights import dashboard_get, year_hours
from learning.models import CreditEntry, CreditYear, Membership
from learning.selectors import school_year_start
from tests.factories import MembershipFactory, UserFactory

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
    return {
        (row.user_id, row.year_start): (row.badges, row.hours)
        for row in CreditYear.objects.all()
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
    assert not CreditYear.objects.filter(user_id=ben.pk).exists()
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
    earn(UserFactory(), "a1", AUGUST)
    CreditYear.objects.all().delete()
    assert CREDIT_YEARS.sync() is True
    assert rolled_up() == summed_afresh() != {}


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
    assert "learning_credityear: summed again" in out.getvalue()
    assert "credentials_decisionyear: in step" in out.getvalue()
    earn(learner, "a2", AUGUST)
    assert rolled_up() == summed_afresh() == {(learner.pk, date(2026, 7, 1)): (2, Decimal("4.0"))}
    out = StringIO()
    call_command("rollups_sync", "--rebuild", stdout=out)
    assert "learning_credityear: summed again" in out.getvalue()
    assert rolled_up() == summed_afresh()
