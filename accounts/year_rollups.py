"""Per-person, per-school-year sums of a table, kept by the database itself.

A district's figures add up its members' activity in a school year. Read from the activity
itself, that is every row of a third of the programme over two years (tens of thousands at
scale); read from a roll-up, it is one row a member a year. `YearRollup` describes one such
roll-up: the table it sums, whose rows count, the day a row counts on, and what it adds.
From that it makes the triggers that keep the roll-up and the statements that sum it again.
Several may add to one roll-up table, each to columns of its own (with database defaults,
as each inserts only its own), so that one query reads them all.

Triggers, not the services, keep a roll-up, because a table is written in more ways than
any one service sees: single saves, bulk inserts with `ON CONFLICT DO NOTHING` (which add
only the rows they insert), `UPDATE`s of many rows, seeds, and people's deletion. A trigger
sees every write, in the writer's transaction, so the roll-up is never behind its table; on
PostgreSQL the upsert is atomic, so writes at the same moment add up rather than overwrite.

A school year starts on the first of LEAP_SCHOOL_YEAR_START_MONTH, and a timestamp's day is
the one on the site's clock (TIME_ZONE): both are written into the triggers. `sync` (after
every `migrate`) compares the installed triggers with those the settings and this code make
now; when they differ, or the roll-up is empty while its table is not (a new installation,
or one upgraded to the roll-up), it installs them and sums the table again, with the table
locked against writes so that nothing falls between the two.

The SQL is put together from the code's own constants, the month (an integer checked to be
1 to 12) and the time zone (checked to be a zone's name): nothing from a request goes in."""

import re
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

EVENTS = ("insert", "update", "delete")  # SQLite's triggers, one per event
ROLLUPS: list = []  # every YearRollup described, as its module is imported


@dataclass(frozen=True)
class YearRollup:
    """`{row}` in the SQL fragments stands for the row (NEW, OLD, or the table's alias)."""

    name: str  # of the triggers and function
    table: str  # summed
    rollup: str  # with a unique (user_id, year_start)
    user: str  # the column of `table` with the person's id
    counts: str  # SQL: whether the row counts
    day: dict  # vendor -> SQL: the day the row counts on ({zone}: the site's clock)
    sums: tuple  # (roll-up column, vendor -> SQL of what the row adds), ...
    watched: tuple  # columns whose change moves the row between years or sums
    timestamp: bool = False  # the day is a timestamp's, on the site's clock

    def __post_init__(self):
        ROLLUPS.append(self)

    def _day(self, row: str, vendor: str) -> str:
        zone = site_time_zone()
        if self.timestamp and vendor != "postgresql" and zone != "UTC":
            raise ImproperlyConfigured(
                f"{self.rollup} needs TIME_ZONE UTC on SQLite, which knows no other zone."
            )
        return self.day[vendor].format(row=row, zone=zone)

    def _year_start(self, row: str, month: int, vendor: str) -> str:
        day = self._day(row, vendor)
        if vendor == "postgresql":
            return (
                f"make_date(extract(year from {day})::int"
                f" - (extract(month from {day}) < {month})::int, {month}, 1)"
            )
        # SQLite keeps dates as ISO text: step back to the first of the starting month.
        return (
            f"date({day}, 'start of month', '-' || "
            f"((CAST(strftime('%m', {day}) AS INTEGER) - {month} + 12) % 12) || ' months')"
        )

    def _values(self, row: str, vendor: str) -> list[str]:
        return [sql[vendor].format(row=row) for _, sql in self.sums]

    def _take_away(self, row: str, month: int, vendor: str) -> str:
        """The row stops counting, if it counted. Only an update: the roll-up's row is there
        if this one counted, and a person being deleted gets no row made again."""
        columns = [column for column, _ in self.sums]
        changes = ", ".join(
            f"{column} = {column} - ({value})"
            for column, value in zip(columns, self._values(row, vendor), strict=True)
        )
        return (
            f"UPDATE {self.rollup} SET {changes}"  # noqa: S608
            f" WHERE ({self.counts.format(row=row)}) AND user_id = {row}.{self.user}"
            f" AND year_start = {self._year_start(row, month, vendor)};"
        )

    def _add(self, row: str, month: int, vendor: str) -> str:
        """The row starts counting, if it counts."""
        columns = [column for column, _ in self.sums]
        return (
            f"INSERT INTO {self.rollup} (user_id, year_start, {', '.join(columns)})"  # noqa: S608
            f" SELECT {row}.{self.user}, {self._year_start(row, month, vendor)},"
            f" {', '.join(self._values(row, vendor))}"
            f" WHERE {self.counts.format(row=row)}"
            f" ON CONFLICT (user_id, year_start) DO UPDATE SET "
            + ", ".join(
                f"{column} = {self.rollup}.{column} + excluded.{column}" for column in columns
            )
            + ";"
        )

    def _changed(self) -> str:
        """An update that touches none of the watched columns leaves the sums as they are."""
        return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in self.watched)

    def function_body(self, month: int, vendor: str) -> str:
        """PostgreSQL's trigger function: an updated row stops counting as it was and counts
        as it is."""
        return (
            # The watched columns are the update trigger's condition: named here, so that
            # comparing this body with the installed one covers them too.
            f"\n-- {self.rollup} from {self.table}; updates of {', '.join(self.watched)}\n"
            "BEGIN\n"
            f"    IF TG_OP <> 'INSERT' THEN {self._take_away('OLD', month, vendor)} END IF;\n"
            f"    IF TG_OP <> 'DELETE' THEN {self._add('NEW', month, vendor)} END IF;\n"
            "    RETURN NULL;\n"
            "END\n"
        )

    def trigger_statements(self, month: int, vendor: str) -> list[str]:
        if vendor == "postgresql":
            changed = self._changed().replace(" IS NOT ", " IS DISTINCT FROM ")
            return [
                f"CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $${self.function_body(month, vendor)}$$",
                # OR REPLACE (PostgreSQL 14 and later), not a drop: dropping a trigger locks
                # its table against readers as well; this locks out writers only, and turns
                # on a trigger that was switched off.
                f"CREATE OR REPLACE TRIGGER {self.name} AFTER INSERT OR DELETE ON {self.table}"
                f" FOR EACH ROW EXECUTE FUNCTION {self.name}()",
                f"CREATE OR REPLACE TRIGGER {self.name}_update AFTER UPDATE ON {self.table}"
                f" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {self.name}()",
            ]
        statements = []
        for event, when, body in (
            ("insert", "", self._add("NEW", month, vendor)),
            (
                "update",
                f" WHEN {self._changed()}",
                f"{self._take_away('OLD', month, vendor)} {self._add('NEW', month, vendor)}",
            ),
            ("delete", "", self._take_away("OLD", month, vendor)),
        ):
            name = f"{self.name}_{event}"
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {self.table}"
                f" FOR EACH ROW{when} BEGIN {body} END"
            )
        return statements

    def drop_statements(self, vendor: str) -> list[str]:
        """Remove the triggers (before the roll-up's table goes)."""
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}",
                f"DROP TRIGGER IF EXISTS {self.name}_update ON {self.table}",
                f"DROP FUNCTION IF EXISTS {self.name}()",
            ]
        return [f"DROP TRIGGER IF EXISTS {self.name}_{event}" for event in EVENTS]

    def rebuild_statements(self, month: int, vendor: str) -> list[str]:
        """Sum the whole table again into the roll-up's columns this one adds to (others may
        share the roll-up: each zeroes and sums its own columns)."""
        columns = [column for column, _ in self.sums]
        totals = ", ".join(f"SUM({value})" for value in self._values("r", vendor))
        return [
            f"UPDATE {self.rollup} SET "  # noqa: S608
            + ", ".join(f"{column} = 0" for column in columns)
            + f" WHERE {self._any_of_mine()}",
            f"INSERT INTO {self.rollup} (user_id, year_start, {', '.join(columns)})"  # noqa: S608
            f" SELECT r.{self.user}, {self._year_start('r', month, vendor)}, {totals}"
            f" FROM {self.table} r WHERE {self.counts.format(row='r')} GROUP BY 1, 2"
            # (The WHERE keeps SQLite from reading ON CONFLICT as a join's ON.)
            " ON CONFLICT (user_id, year_start) DO UPDATE SET "
            + ", ".join(f"{column} = excluded.{column}" for column in columns),
        ]

    def _any_of_mine(self) -> str:
        """Whether a roll-up row holds anything this one added."""
        return " OR ".join(f"{column} <> 0" for column, _ in self.sums)

    def _installed(self, cursor, vendor: str) -> list[str]:
        """What is installed now, to compare with what would be."""
        if vendor == "postgresql":
            cursor.execute(
                "SELECT prosrc FROM pg_proc WHERE proname = %s"
                " UNION ALL SELECT tgname::text FROM pg_trigger WHERE tgname IN (%s, %s)"
                " AND tgrelid = %s::regclass AND tgenabled IN ('O', 'A')",  # not switched off
                [self.name, self.name, f"{self.name}_update", self.table],
            )
            return sorted(found for (found,) in cursor.fetchall())
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)"
                " ORDER BY name",
                [f"{self.name}_{event}" for event in EVENTS],
            )
        return [found for (found,) in cursor.fetchall()]

    def _wanted(self, month: int, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return sorted([self.function_body(month, vendor), self.name, f"{self.name}_update"])
        creates = [s for s in self.trigger_statements(month, vendor) if s.startswith("CREATE")]
        return sorted(creates, key=lambda statement: statement.split()[2])

    def _empty_beside_its_table(self, cursor) -> bool:
        cursor.execute(
            f"SELECT NOT EXISTS (SELECT 1 FROM {self.rollup} WHERE {self._any_of_mine()})"  # noqa: S608
            f" AND EXISTS (SELECT 1 FROM {self.table} r WHERE {self.counts.format(row='r')})"
        )
        return bool(cursor.fetchone()[0])

    def after_migrate(self, sender, using: str = "default", **kwargs) -> None:
        """post_migrate: keep the triggers in step with the settings, once the table exists
        (not after migrating back to before it)."""
        if self.rollup in connections[using].introspection.table_names():
            self.sync(using=using)

    def sync(self, *, using: str = "default", rebuild: bool = False) -> bool:
        """Install the triggers the settings make now and sum the table again, when they
        are not what is installed, the roll-up is empty beside a table that is not, or
        `rebuild`. Returns whether it summed."""
        connection = connections[using]
        vendor = connection.vendor
        month = school_year_start_month()
        with transaction.atomic(using=using), connection.cursor() as cursor:
            in_step = self._installed(cursor, vendor) == self._wanted(month, vendor)
            if not rebuild and in_step and not self._empty_beside_its_table(cursor):
                return False
            if vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {self.table} IN SHARE ROW EXCLUSIVE MODE")
            for statement in self.trigger_statements(month, vendor):
                cursor.execute(statement)
            for statement in self.rebuild_statements(month, vendor):
                cursor.execute(statement)
            if vendor == "postgresql":
                # Fresh statistics for the planner: a roll-up summed anew has none yet.
                cursor.execute(f"ANALYZE {self.rollup}")
        return True


def school_year_start_month() -> int:
    month = settings.LEAP_SCHOOL_YEAR_START_MONTH
    if not (isinstance(month, int) and 1 <= month <= 12):
        raise ImproperlyConfigured(f"LEAP_SCHOOL_YEAR_START_MONTH is 1 to 12, not {month!r}.")
    return month


def site_time_zone() -> str:
    """The site's clock, for a timestamp's day; on SQLite, which keeps timestamps in UTC
    and knows no other zone, only UTC."""
    zone = settings.TIME_ZONE
    if not (isinstance(zone, str) and re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone)):
        raise ImproperlyConfigured(f"TIME_ZONE is not a time zone's name: {zone!r}.")
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ImproperlyConfigured(f"TIME_ZONE is not a time zone's name: {zone!r}.") from error
    return zone


@contextmanager
def summed_afterwards(*, using: str = "default"):
    """Bulk writes with the roll-ups' triggers off, then each roll-up summed once, all in one
    transaction: for a seed of a million rows, where a trigger per row costs more than one
    sum at the end. Others wait for the transaction (dropping a trigger locks its table:
    on PostgreSQL against readers too), so no write is missed; if the block fails, the
    triggers are back as they were. For seeds, not for a site that is serving."""
    connection = connections[using]
    with transaction.atomic(using=using):
        tables = set(connection.introspection.table_names())
        present = [rollup for rollup in ROLLUPS if rollup.rollup in tables]
        with connection.cursor() as cursor:
            for rollup in present:
                for statement in rollup.drop_statements(connection.vendor):
                    cursor.execute(statement)
        yield
        for rollup in present:
            rollup.sync(using=using, rebuild=True)
