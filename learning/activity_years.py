"""Each learner's activity per school year (`ActivityYear`), kept by the database on every
write to the tables it sums (`accounts.year_rollups` says how and why). The district's
dashboard and its PD goals read it: a row a member a year, rather than every entry,
enrolment and self-assessment.

Four roll-ups share the table, each adding to columns of its own: the ledger's standing
credit (by the day it was earned), pathways started and completed (by the day of each) and
self-assessments finished. An enrolment counts twice, as started in the year it began and
as completed in the year it ended, so the pathways in progress are those started in any
year less those completed.

`DISTRICT_ACTIVITY` sums the same again per district, school and role, over the active
members, from `ActivityYear` and the memberships: the dashboard reads a row per school, role
and year, whatever the district's size (`accounts.year_rollups.GroupRollup` says how).
Declared after the four, so `migrate`'s `sync` and the seed's sums run after theirs.

`DISTRICT_BADGES` counts, per district, school, role and page, the badges of Leap's own that
its active members hold (the ledger's badge entries that stand), straight from the ledger:
the coverage heatmap reads a row per group and micro-credential."""

from accounts.year_rollups import GroupRollup, YearRollup

BOTH = ("postgresql", "sqlite")
ROLLUP = "learning_activityyear"


def _on_site_clock(column: str) -> dict:
    """A timestamp's day on the site's clock (SQLite keeps UTC and is used with UTC only)."""
    return {
        "postgresql": f"({{row}}.{column} AT TIME ZONE '{{zone}}')::date",
        "sqlite": f"date({{row}}.{column})",
    }


# What counts as a badge on the dashboard: Leap's own and those earned elsewhere.
CREDIT_YEARS = YearRollup(
    name="learning_credit_year",
    table="learning_creditentry",
    rollup=ROLLUP,
    user="user_id",
    counts="{row}.voided_at IS NULL",  # the entries that stand
    day=dict.fromkeys(BOTH, "{row}.earned_on"),
    sums=(
        (
            "badges",
            dict.fromkeys(
                BOTH, "CASE WHEN {row}.source IN ('badge', 'external') THEN 1 ELSE 0 END"
            ),
        ),
        ("hours", dict.fromkeys(BOTH, "{row}.hours")),
    ),
    watched=("user_id", "source", "hours", "earned_on", "voided_at"),
)

PATHWAYS_STARTED_YEARS = YearRollup(
    name="learning_pathway_started_year",
    table="learning_enrolment",
    rollup=ROLLUP,
    user="user_id",
    counts="TRUE",
    day=_on_site_clock("enrolled_at"),
    sums=(("pathways_started", dict.fromkeys(BOTH, "1")),),
    watched=("user_id", "enrolled_at"),
    timestamp=True,
)

PATHWAYS_COMPLETED_YEARS = YearRollup(
    name="learning_pathway_completed_year",
    table="learning_enrolment",
    rollup=ROLLUP,
    user="user_id",
    counts="{row}.completed_at IS NOT NULL",
    day=_on_site_clock("completed_at"),
    sums=(("pathways_completed", dict.fromkeys(BOTH, "1")),),
    watched=("user_id", "completed_at"),
    timestamp=True,
)

ASSESSMENT_YEARS = YearRollup(
    name="learning_assessment_year",
    table="learning_selfassessment",
    rollup=ROLLUP,
    user="user_id",
    counts="{row}.completed_at IS NOT NULL",  # finished
    day=_on_site_clock("completed_at"),
    sums=(("assessments", dict.fromkeys(BOTH, "1")),),
    watched=("user_id", "completed_at"),
    timestamp=True,
)

ACTIVITY_YEARS = (CREDIT_YEARS, PATHWAYS_STARTED_YEARS, PATHWAYS_COMPLETED_YEARS, ASSESSMENT_YEARS)

DISTRICT_ACTIVITY = GroupRollup(
    name="learning_district_activity",
    source=ROLLUP,
    members="learning_membership",
    rollup="learning_districtactivityyear",
    sums=("badges", "hours", "pathways_started", "pathways_completed", "assessments"),
)

DISTRICT_BADGES = GroupRollup(
    name="learning_district_badges",
    source="learning_creditentry",
    members="learning_membership",
    rollup="learning_districtbadgecount",
    sums=("badges",),
    key="page_id",
    counts="{row}.source = 'badge' AND {row}.voided_at IS NULL AND {row}.page_id IS NOT NULL",
    values=("1",),
    watched=("user_id", "page_id", "source", "voided_at"),
)
