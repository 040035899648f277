"""Each learner's standing credit per school year (`CreditYear`), kept by the database.

A district's dashboard and its PD goals add up its members' credit in a school year. Read
from the ledger, that is every standing entry of a third of the programme over two years
(tens of thousands of rows at scale); read from this roll-up, it is one row a member a year.

The roll-up is kept by triggers on the ledger, not by the services that write it: the
ledger is written by single credits, bulk awards (`INSERT … ON CONFLICT DO NOTHING`, which
adds only the rows it inserts), voids (`UPDATE`), the demo's and the scale seed's bulk
inserts, and people's deletion (`DELETE`). A trigger sees every one of them, in the writer's
transaction, so the roll-up is never behind the ledger it sums. On PostgreSQL the upsert is
atomic, so concurrent credits to one learner add up rather than overwrite each other.

A school year starts on the first of LEAP_SCHOOL_YEAR_START_MONTH, which the triggers carry
as a number. `sync` (after every `migrate`) installs them with the month configured now,
and sums the ledger again when the roll-up was made with another month, or is empty while
the ledger is not (a new installation, or one upgraded to this table).

The SQL is put together from this module's constants and the month, an integer checked to
be 1 to 12 (`_month`): nothing from outside goes into it."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

ROLLUP = "learning_credityear"
LEDGER = "learning_creditentry"
# What counts as a badge on the dashboard: Leap's own and those earned elsewhere.
BADGE_SOURCES = "('badge', 'external')"
EVENTS = ("insert", "update", "delete")  # SQLite's triggers, one per event


def _month() -> int:
    month = settings.LEAP_SCHOOL_YEAR_START_MONTH
    if not (isinstance(month, int) and 1 <= month <= 12):
        raise ImproperlyConfigured(f"LEAP_SCHOOL_YEAR_START_MONTH is 1 to 12, not {month!r}.")
    return month


def _year_start(column: str, month: int, vendor: str) -> str:
    """SQL for the first day of the school year `column` (a date) falls in."""
    if vendor == "postgresql":
        return (
            f"make_date(extract(year from {column})::int"
            f" - (extract(month from {column}) < {month})::int, {month}, 1)"
        )
    # SQLite keeps dates as ISO text: step back to the first of the starting month.
    return (
        f"date({column}, 'start of month', '-' || "
        f"((CAST(strftime('%m', {column}) AS INTEGER) - {month} + 12) % 12) || ' months')"
    )


def _month_of(column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"extract(month from {column})::int"
    return f"CAST(strftime('%m', {column}) AS INTEGER)"


def _take_away(row: str, month: int, vendor: str) -> str:
    """The entry `row` stops counting, if it counted (it stood). Only an update: the row is
    there if the entry counted, and a person being deleted gets no row made again."""
    return (
        f"UPDATE {ROLLUP} SET badges = badges - (CASE WHEN {row}.source IN {BADGE_SOURCES}"  # noqa: S608
        f" THEN 1 ELSE 0 END), hours = hours - {row}.hours"
        f" WHERE {row}.voided_at IS NULL AND user_id = {row}.user_id"
        f" AND year_start = {_year_start(f'{row}.earned_on', month, vendor)};"
    )


def _add(row: str, month: int, vendor: str) -> str:
    """The entry `row` starts counting, if it stands."""
    return (
        f"INSERT INTO {ROLLUP} (user_id, year_start, badges, hours) SELECT {row}.user_id,"
        f" {_year_start(f'{row}.earned_on', month, vendor)},"
        f" CASE WHEN {row}.source IN {BADGE_SOURCES} THEN 1 ELSE 0 END, {row}.hours"
        f" WHERE {row}.voided_at IS NULL"
        f" ON CONFLICT (user_id, year_start) DO UPDATE"
        f" SET badges = {ROLLUP}.badges + excluded.badges,"
        f" hours = {ROLLUP}.hours + excluded.hours;"
    )


def trigger_statements(month: int, vendor: str) -> list[str]:
    """The statements that (re)install the triggers for a school year starting in `month`:
    an entry updated (voided, restored) stops counting as it was and counts as it is."""
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION learning_credit_year_keep() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {_take_away("OLD", month, vendor)} END IF;
                IF TG_OP <> 'DELETE' THEN {_add("NEW", month, vendor)} END IF;
                RETURN NULL;
            END $$""",
            # OR REPLACE (PostgreSQL 14 and later) takes no lock that stops the ledger's readers.
            f"""CREATE OR REPLACE TRIGGER learning_credit_year_keep
            AFTER INSERT OR UPDATE OR DELETE ON {LEDGER}
            FOR EACH ROW EXECUTE FUNCTION learning_credit_year_keep()""",
        ]
    bodies = {
        "insert": _add("NEW", month, vendor),
        "update": _take_away("OLD", month, vendor) + " " + _add("NEW", month, vendor),
        "delete": _take_away("OLD", month, vendor),
    }
    statements = []
    for event, body in bodies.items():
        name = f"learning_credit_year_{event}"
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {LEDGER} FOR EACH ROW BEGIN {body} END"
        )
    return statements


def rebuild_statements(month: int, vendor: str) -> list[str]:
    """Sum the whole ledger again into the roll-up."""
    return [
        f"DELETE FROM {ROLLUP}",  # noqa: S608
        f"INSERT INTO {ROLLUP} (user_id, year_start, badges, hours)"  # noqa: S608
        f" SELECT user_id, {_year_start('earned_on', month, vendor)},"
        f" SUM(CASE WHEN source IN {BADGE_SOURCES} THEN 1 ELSE 0 END), SUM(hours)"
        f" FROM {LEDGER} WHERE voided_at IS NULL GROUP BY 1, 2",
    ]


def _stale(cursor, month: int, vendor: str) -> bool:
    """Whether the roll-up was made for another school year, or never made."""
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {ROLLUP} WHERE {_month_of('year_start', vendor)} <> {month})"  # noqa: S608
        f" OR (NOT EXISTS (SELECT 1 FROM {ROLLUP})"
        f" AND EXISTS (SELECT 1 FROM {LEDGER} WHERE voided_at IS NULL))"
    )
    return bool(cursor.fetchone()[0])


def sync(*, using: str = "default", rebuild: bool = False) -> bool:
    """Install the triggers for the configured school year and, when the roll-up does not
    match it (or `rebuild`), sum the ledger again. Returns whether it summed. The ledger is
    locked against writes while it is summed, so no credit falls between the two."""
    connection = connections[using]
    vendor = connection.vendor
    month = _month()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {LEDGER} IN SHARE ROW EXCLUSIVE MODE")
        for statement in trigger_statements(month, vendor):
            cursor.execute(statement)
        if not (rebuild or _stale(cursor, month, vendor)):
            return False
        for statement in rebuild_statements(month, vendor):
            cursor.execute(statement)
    return True


def drop_statements(vendor: str) -> list[str]:
    """The statements that remove the triggers (before the roll-up's table goes)."""
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS learning_credit_year_keep ON {LEDGER}",
            "DROP FUNCTION IF EXISTS learning_credit_year_keep()",
        ]
    return [f"DROP TRIGGER IF EXISTS learning_credit_year_{event}" for event in EVENTS]


def synced_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate: keep the triggers in step with the settings, once the table exists
    (not after migrating back to before it)."""
    if ROLLUP in connections[using].introspection.table_names():
        sync(using=using)
