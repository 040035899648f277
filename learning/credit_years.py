"""Each learner's standing credit per school year (`CreditYear`), kept by the database on
every write to the ledger (`accounts.year_rollups` says how and why). The district's
dashboard and its PD goals read it: a row a member a year, rather than every entry."""

from accounts.year_rollups import YearRollup

# What counts as a badge on the dashboard: Leap's own and those earned elsewhere.
CREDIT_YEARS = YearRollup(
    name="learning_credit_year",
    table="learning_creditentry",
    rollup="learning_credityear",
    user="user_id",
    counts="{row}.voided_at IS NULL",  # the entries that stand
    day={"postgresql": "{row}.earned_on", "sqlite": "{row}.earned_on"},
    sums=(
        (
            "badges",
            dict.fromkeys(
                ("postgresql", "sqlite"),
                "CASE WHEN {row}.source IN ('badge', 'external') THEN 1 ELSE 0 END",
            ),
        ),
        ("hours", dict.fromkeys(("postgresql", "sqlite"), "{row}.hours")),
    ),
    watched=("user_id", "source", "hours", "earned_on", "voided_at"),
)
