"""Each learner's submissions decided per school year (`DecisionYear`), kept by the
database on every write to the submissions (`accounts.year_rollups` says how and why). The
district dashboard's review outcomes read the same summed again per district, school and
role (`DISTRICT_DECISIONS`, over the active members): a row per group and year, whatever the
district's size."""

from accounts.year_rollups import GroupRollup, YearRollup

BOTH = ("postgresql", "sqlite")

DECISION_YEARS = YearRollup(
    name="credentials_decision_year",
    table="credentials_submission",
    rollup="credentials_decisionyear",
    user="learner_id",
    # Decided, after being sent (as the dashboard counts them).
    counts=(
        "{row}.state IN ('earned', 'not_yet') AND {row}.submitted_at IS NOT NULL"
        " AND {row}.decided_at IS NOT NULL"
    ),
    day={
        "postgresql": "({row}.decided_at AT TIME ZONE '{zone}')::date",
        "sqlite": "date({row}.decided_at)",  # kept in UTC; SQLite is used with UTC only
    },
    sums=(
        ("earned", dict.fromkeys(BOTH, "CASE WHEN {row}.state = 'earned' THEN 1 ELSE 0 END")),
        ("not_yet", dict.fromkeys(BOTH, "CASE WHEN {row}.state = 'not_yet' THEN 1 ELSE 0 END")),
        ("decided", dict.fromkeys(BOTH, "1")),
        (
            "waited_seconds",
            {
                "postgresql": "extract(epoch from {row}.decided_at - {row}.submitted_at)",
                "sqlite": "(julianday({row}.decided_at) - julianday({row}.submitted_at)) * 86400",
            },
        ),
    ),
    watched=("learner_id", "state", "submitted_at", "decided_at"),
    timestamp=True,
)

# Declared after DECISION_YEARS, so `migrate`'s `sync` and the seed's sums run after its.
DISTRICT_DECISIONS = GroupRollup(
    name="credentials_district_decision",
    source="credentials_decisionyear",
    members="learning_membership",
    rollup="credentials_districtdecisionyear",
    sums=("earned", "not_yet", "decided", "waited_seconds"),
)
