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
import time
import zlib
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections, transaction

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
        return retried_on_deadlock(self._sync, using=using, rebuild=rebuild)

    def _sync(self, *, using: str = "default", rebuild: bool = False) -> bool:
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


DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for a deadlock it broke


def retried_on_deadlock(sync, *, using: str, attempts: int = 3, **kwargs) -> bool:
    """Run a `sync`, again if PostgreSQL broke a deadlock by ending it: its table locks are
    taken one after another, and a writer holding one while waiting for another (a credit
    after a change of membership, in one transaction) can close the circle. The writer goes
    on; the sync, whose work was all undone, runs again. Inside an outer transaction (a
    seed, a test) a deadlock ends that transaction too, so it is not retried there."""
    for attempt in range(1, attempts):
        try:
            return sync(using=using, **kwargs)
        except OperationalError as error:
            deadlocked = getattr(error.__cause__, "sqlstate", None) == DEADLOCK
            if not deadlocked or connections[using].in_atomic_block:
                raise
            time.sleep(0.1 * attempt)
    return sync(using=using, **kwargs)  # the last attempt: whatever it raises, raised


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


@dataclass(frozen=True)
class GroupRollup:
    """A per-person roll-up summed again per group of a district's members (district, school,
    role), so a district's figures read a row per school, role and year whatever its size.

    Group rows are hot: every credit to any member of a school would update the same one,
    and two awards at once would queue behind each other (or deadlock, taking their groups
    in different orders). So the triggers only ever add rows, each a change: the per-person
    roll-up's change, for each group the person is an active member of, and a membership's
    move between groups (its person's years taken from the old group, added to the new).
    A reader sums the district's rows; `compact` (by beat, and after `sync`) sums each
    group's rows into one, dropping groups left at nothing. The sums are right whenever it
    last ran; it only keeps the rows few.

    Group columns are plain ids, not foreign keys: a school or district being deleted moves
    its members out first (their rows are changes that net to nothing), and a foreign key
    would refuse those rows in the same transaction. `{row}` in SQL stands for NEW, OLD or
    the source's alias.

    The source is usually a per-person roll-up, whose rows all count and whose columns are
    summed as they are, by school year. It may be any table with a `user_id`: `key` names
    the column its groups are kept by beside district, school and role (a page, say),
    `counts` which of its rows count, and `values` what a row adds to each of `sums`."""

    name: str  # of the triggers and functions
    source: str  # what is summed, with user_id and `key` (a per-person roll-up, usually)
    members: str  # the memberships: user_id, district_id, school_id, role, is_active
    rollup: str  # the groups' table: district_id, school_id, role, `key` and the sums
    sums: tuple  # columns of the groups' table (and, without `values`, of `source`)
    key: str = "year_start"  # the column of `source` the groups are kept by, beside them
    counts: str = ""  # SQL: whether a row of `source` counts; every row when empty
    values: tuple = ()  # SQL: what a row adds to each of `sums`; the same columns when empty
    watched: tuple = ()  # columns of `source` whose update matters; user, key, sums if empty

    def __post_init__(self):
        if self.values and len(self.values) != len(self.sums):
            raise ValueError(f"{self.name}: one value for each of the sums.")
        ROLLUPS.append(self)

    @property
    def table(self) -> str:
        """What it sums (the per-person roll-up; memberships too)."""
        return self.source

    @property
    def _columns(self) -> str:
        return ", ".join(self.sums)

    @property
    def _group(self) -> str:
        """The groups' table's columns that make a group."""
        return f"district_id, school_id, role, {self.key}"

    def _insert(self) -> str:
        return f"INSERT INTO {self.rollup} ({self._group}, {self._columns})"

    def _values(self, row: str) -> list[str]:
        """What the source's row adds to each of the sums."""
        if self.values:
            return [f"({value.format(row=row)})" for value in self.values]
        return [f"{row}.{column}" for column in self.sums]

    def _counted(self, row: str) -> str:
        """The condition that the source's row counts, to be added to a WHERE."""
        return f" AND ({self.counts.format(row=row)})" if self.counts else ""

    @staticmethod
    def _active(vendor: str) -> str:
        """Membership `m` is active (SQLite keeps booleans as 0 and 1)."""
        return "m.is_active" if vendor == "postgresql" else "m.is_active = 1"

    def _for_each_group(self, row: str, values: str, vendor: str) -> str:
        """`values` of the person's roll-up row, once for each group they are an active
        member of."""
        return (
            f"{self._insert()} SELECT m.district_id, m.school_id, m.role, {row}.{self.key},"  # noqa: S608
            f" {values} FROM {self.members} m"
            f" WHERE m.user_id = {row}.user_id AND {self._active(vendor)}{self._counted(row)};"
        )

    def _person_changed(self, row: str, sign: str, vendor: str) -> str:
        """The person's roll-up row, added (`+`) or taken (`-`) for each of their groups."""
        values = ", ".join(f"{sign}{value}" for value in self._values(row))
        return self._for_each_group(row, values, vendor)

    def _person_difference(self, vendor: str) -> str:
        """An update of the person's row in place: the difference, once per group."""
        values = ", ".join(
            f"{new} - {old}"
            for new, old in zip(self._values("NEW"), self._values("OLD"), strict=True)
        )
        return self._for_each_group("NEW", values, vendor)

    def _member_moved(self, row: str, sign: str, vendor: str) -> str:
        """Every year of the member's, added to (`+`) or taken from (`-`) their group.
        (PostgreSQL's function asks first whether the membership is active; SQLite's
        triggers have no IF, so the statement finds no rows when it is not.)"""
        values = ", ".join(f"{sign}{value}" for value in self._values("a"))
        active = "" if vendor == "postgresql" else f" AND {row}.is_active = 1"
        return (
            f"{self._insert()} SELECT {row}.district_id, {row}.school_id, {row}.role,"  # noqa: S608
            f" a.{self.key}, {values} FROM {self.source} a"
            f" WHERE a.user_id = {row}.user_id{active}{self._counted('a')};"
        )

    def _changed(self, columns) -> str:
        return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)

    MEMBER_COLUMNS = ("user_id", "district_id", "school_id", "role", "is_active")

    # People share LOCK_SLOTS advisory locks (by id), the same for every group roll-up: one
    # lock each would fill PostgreSQL's lock table (64 slots a connection by default) in a
    # bulk award of thousands, which holds them to its commit.
    LOCK_SLOTS = 16
    LOCK_KEY = zlib.crc32(b"leap-rollup-groups") % 2**31

    def _person_lock(self, function: str) -> str:
        """Serialise, per person, a change to their roll-up with a move of their membership.
        Under READ COMMITTED each trigger reads the other table as last committed: a credit
        and a change of school committed at the same moment would each miss the other (the
        credit counted in the old school, the move taking the years without it), and the
        groups would drift for good. A move takes the person's lock alone, their roll-up's
        changes share it (awards never wait for each other); whichever comes second waits
        for the first to commit, then reads what it wrote (each statement of the function
        reads afresh). Held to the end of the transaction."""
        return "".join(
            f"    IF TG_OP <> '{event}' THEN PERFORM {function}({self.LOCK_KEY},"
            f" ({row}.user_id % {self.LOCK_SLOTS})::int); END IF;\n"
            for event, row in (("INSERT", "OLD"), ("DELETE", "NEW"))
        )

    def function_bodies(self, vendor: str = "postgresql") -> dict[str, str]:
        """PostgreSQL's two trigger functions: from the person's roll-up, from memberships."""
        taken, added = (
            self._person_changed("OLD", "-", vendor),
            self._person_changed("NEW", "", vendor),
        )
        in_place = ""
        if not self.counts:  # (a row that may stop or start counting is taken and added)
            same_row = f"OLD.user_id = NEW.user_id AND OLD.{self.key} = NEW.{self.key}"
            in_place = (
                f"    IF TG_OP = 'UPDATE' AND {same_row} THEN"
                f" {self._person_difference(vendor)} RETURN NULL; END IF;\n"
            )
        return {
            f"{self.name}_person": (
                f"\n-- {self.rollup} from {self.source}: {self._columns}\n"
                "BEGIN\n"
                f"{self._person_lock('pg_advisory_xact_lock_shared')}"
                f"{in_place}"
                f"    IF TG_OP <> 'INSERT' THEN {taken} END IF;\n"
                f"    IF TG_OP <> 'DELETE' THEN {added} END IF;\n"
                "    RETURN NULL;\n"
                "END\n"
            ),
            f"{self.name}_member": (
                f"\n-- {self.rollup} from {self.members}: {', '.join(self.MEMBER_COLUMNS)}\n"
                "BEGIN\n"
                f"{self._person_lock('pg_advisory_xact_lock')}"
                "    IF TG_OP <> 'INSERT' AND OLD.is_active THEN"
                f" {self._member_moved('OLD', '-', vendor)} END IF;\n"
                "    IF TG_OP <> 'DELETE' AND NEW.is_active THEN"
                f" {self._member_moved('NEW', '', vendor)} END IF;\n"
                "    RETURN NULL;\n"
                "END\n"
            ),
        }

    def _tables(self) -> dict[str, tuple[str, tuple]]:
        """Trigger name → (table, columns whose update matters)."""
        return {
            f"{self.name}_person": (
                self.source,
                self.watched or ("user_id", self.key, *self.sums),
            ),
            f"{self.name}_member": (self.members, self.MEMBER_COLUMNS),
        }

    def trigger_statements(self, month: int, vendor: str) -> list[str]:
        statements = []
        if vendor == "postgresql":
            for name, body in self.function_bodies(vendor).items():
                table, watched = self._tables()[name]
                changed = self._changed(watched).replace(" IS NOT ", " IS DISTINCT FROM ")
                statements += [
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                    f" AS $${body}$$",
                    f"CREATE OR REPLACE TRIGGER {name} AFTER INSERT OR DELETE ON {table}"
                    f" FOR EACH ROW EXECUTE FUNCTION {name}()",
                    f"CREATE OR REPLACE TRIGGER {name}_update AFTER UPDATE ON {table}"
                    f" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {name}()",
                ]
            return statements
        person, member = f"{self.name}_person", f"{self.name}_member"
        bodies = {
            (person, "insert"): self._person_changed("NEW", "", vendor),
            (person, "update"): self._person_changed("OLD", "-", vendor)
            + " "
            + self._person_changed("NEW", "", vendor),
            (person, "delete"): self._person_changed("OLD", "-", vendor),
            (member, "insert"): self._member_moved("NEW", "", vendor),
            (member, "update"): self._member_moved("OLD", "-", vendor)
            + " "
            + self._member_moved("NEW", "", vendor),
            (member, "delete"): self._member_moved("OLD", "-", vendor),
        }
        for (name, event), body in bodies.items():
            table, watched = self._tables()[name]
            when = f" WHEN {self._changed(watched)}" if event == "update" else ""
            statements.append(f"DROP TRIGGER IF EXISTS {name}_{event}")
            statements.append(
                f"CREATE TRIGGER {name}_{event} AFTER {event.upper()} ON {table}"
                f" FOR EACH ROW{when} BEGIN {body} END"
            )
        return statements

    def drop_statements(self, vendor: str) -> list[str]:
        statements = []
        for name, (table, _watched) in self._tables().items():
            if vendor == "postgresql":
                statements += [
                    f"DROP TRIGGER IF EXISTS {name} ON {table}",
                    f"DROP TRIGGER IF EXISTS {name}_update ON {table}",
                    f"DROP FUNCTION IF EXISTS {name}()",
                ]
            else:
                statements += [f"DROP TRIGGER IF EXISTS {name}_{event}" for event in EVENTS]
        return statements

    def _summed_afresh(self, total: str, vendor: str) -> str:
        """The per-person roll-up summed by its people's active groups: each sum is
        `total` of `SUM(a.column)`; groups at nothing left out."""
        sums = ", ".join(total.format(f"SUM({value})") for value in self._values("a"))
        nonzero = " OR ".join(f"{total.format(f'SUM({v})')} <> 0" for v in self._values("a"))
        return (
            f"SELECT m.district_id, m.school_id, m.role, a.{self.key}, {sums}"  # noqa: S608
            f" FROM {self.source} a JOIN {self.members} m ON m.user_id = a.user_id"
            f" WHERE {self._active(vendor)}{self._counted('a')} GROUP BY 1, 2, 3, 4"
            f" HAVING {nonzero}"
        )

    def rebuild_statements(self, vendor: str) -> list[str]:
        return [
            f"DELETE FROM {self.rollup}",  # noqa: S608
            f"{self._insert()} {self._summed_afresh('{}', vendor)}",
        ]

    def _any_nonzero(self, template: str) -> str:
        return " OR ".join(f"{template.format(column)} <> 0" for column in self.sums)

    def _installed(self, cursor, vendor: str) -> list[str]:
        names = list(self._tables())
        if vendor == "postgresql":
            cursor.execute(
                "SELECT prosrc FROM pg_proc WHERE proname = ANY(%s) UNION ALL SELECT tgname::text"
                " FROM pg_trigger WHERE tgname = ANY(%s) AND tgenabled IN ('O', 'A')",
                [names, [n + suffix for n in names for suffix in ("", "_update")]],
            )
            return sorted(found for (found,) in cursor.fetchall())
        wanted = [f"{name}_{event}" for name in names for event in EVENTS]
        placeholders = ", ".join(["%s"] * len(wanted))
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger'"  # noqa: S608 (placeholders)
            f" AND name IN ({placeholders}) ORDER BY name",
            wanted,
        )
        return [found for (found,) in cursor.fetchall()]

    def _wanted(self, vendor: str) -> list[str]:
        names = list(self._tables())
        if vendor == "postgresql":
            return sorted(
                [*self.function_bodies(vendor).values(), *names, *(n + "_update" for n in names)]
            )
        creates = [s for s in self.trigger_statements(0, vendor) if s.startswith("CREATE")]
        return sorted(creates, key=lambda statement: statement.split()[2])

    def _empty_beside_its_source(self, cursor, vendor: str) -> bool:
        active = self._active(vendor)
        cursor.execute(
            f"SELECT NOT EXISTS (SELECT 1 FROM {self.rollup})"  # noqa: S608
            f" AND EXISTS (SELECT 1 FROM {self.source} a JOIN {self.members} m"
            f" ON m.user_id = a.user_id WHERE {active}{self._counted('a')}"
            f" AND ({' OR '.join(f'{value} <> 0' for value in self._values('a'))}))"
        )
        return bool(cursor.fetchone()[0])

    def after_migrate(self, sender, using: str = "default", **kwargs) -> None:
        if self.rollup in connections[using].introspection.table_names():
            self.sync(using=using)

    def sync(self, *, using: str = "default", rebuild: bool = False) -> bool:
        return retried_on_deadlock(self._sync, using=using, rebuild=rebuild)

    def _sync(self, *, using: str = "default", rebuild: bool = False) -> bool:
        """Install the triggers and sum the groups afresh when the triggers are not what is
        installed, the groups are empty beside members' activity, or `rebuild`; else
        compact. Returns whether it summed afresh."""
        connection = connections[using]
        vendor = connection.vendor
        with transaction.atomic(using=using), connection.cursor() as cursor:
            in_step = self._installed(cursor, vendor) == self._wanted(vendor)
            if not rebuild and in_step and not self._empty_beside_its_source(cursor, vendor):
                summed = False
            else:
                if vendor == "postgresql":
                    # Writers of the sources wait (their triggers would add to the groups),
                    # and so does `compact`, whose rows this DELETE must see.
                    cursor.execute(
                        f"LOCK TABLE {self.source}, {self.members} IN SHARE ROW EXCLUSIVE MODE"
                    )
                    cursor.execute(f"LOCK TABLE {self.rollup} IN EXCLUSIVE MODE")
                for statement in self.trigger_statements(0, vendor):
                    cursor.execute(statement)
                for statement in self.rebuild_statements(vendor):
                    cursor.execute(statement)
                summed = True
        if not summed:
            self.compact(using=using)
        elif vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self.rollup}")
        return summed

    def drift(self, *, using: str = "default") -> int:
        """How many groups' sums differ from the per-person roll-up joined to the active
        memberships now (0 when the triggers have kept them), in one statement and so one
        snapshot. Sums are compared to three decimals (some are floating point)."""
        connection = connections[using]
        postgresql = connection.vendor == "postgresql"

        def rounded(expression: str) -> str:
            value = f"CAST({expression} AS numeric)" if postgresql else expression
            return f"ROUND({value}, 3)"

        kept = ", ".join(rounded(f"SUM({c})") for c in self.sums)
        kept_nonzero = " OR ".join(f"{rounded(f'SUM({c})')} <> 0" for c in self.sums)
        fresh = self._summed_afresh(rounded("{}"), connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH kept AS (SELECT {self._group}, {kept}"  # noqa: S608
                f" FROM {self.rollup} GROUP BY 1, 2, 3, 4 HAVING {kept_nonzero}),"
                f" fresh AS ({fresh})"
                " SELECT (SELECT COUNT(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM fresh) k)"
                " + (SELECT COUNT(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM kept) f)"
            )
            return cursor.fetchone()[0]

    def compact(self, *, using: str = "default") -> int:
        """Sum each group's rows into one, dropping groups left at nothing; returns the rows
        there are now. Rows added meanwhile by transactions not yet committed are left for
        the next time (PostgreSQL deletes only the rows it sees; on SQLite, writes wait)."""
        connection = connections[using]
        columns = f"{self._group}, {self._columns}"
        sums = ", ".join(f"SUM({column})" for column in self.sums)
        having = self._any_nonzero("SUM({})")
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Only the groups with more than one row, or one at nothing, are rewritten:
                # at national scale most groups have not changed since the last time.
                t = self.rollup
                cursor.execute(
                    f"WITH due AS (SELECT {self._group} FROM {t}"  # noqa: S608
                    f" GROUP BY 1, 2, 3, 4 HAVING COUNT(*) > 1 OR NOT ({having})),"
                    f" gone AS (DELETE FROM {t} USING due WHERE {t}.district_id = due.district_id"
                    f" AND {t}.school_id IS NOT DISTINCT FROM due.school_id"
                    f" AND {t}.role = due.role AND {t}.{self.key} = due.{self.key}"
                    f" RETURNING {', '.join(f'{t}.{c}' for c in columns.split(', '))})"
                    f" {self._insert()} SELECT {self._group}, {sums}"
                    f" FROM gone GROUP BY 1, 2, 3, 4 HAVING {having}"
                )
            else:
                cursor.execute(f"SELECT MAX(id) FROM {self.rollup}")  # noqa: S608
                (last,) = cursor.fetchone()
                if last is None:
                    return 0
                cursor.execute(
                    f"{self._insert()} SELECT {self._group}, {sums}"  # noqa: S608
                    f" FROM {self.rollup} WHERE id <= %s GROUP BY 1, 2, 3, 4 HAVING {having}",
                    [last],
                )
                cursor.execute(f"DELETE FROM {self.rollup} WHERE id <= %s", [last])  # noqa: S608
            cursor.execute(f"SELECT COUNT(*) FROM {self.rollup}")  # noqa: S608
            return cursor.fetchone()[0]
