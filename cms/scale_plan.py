"""What `seed_scale` makes, and what it made: the plan every app's `scale.seed(plan, report)`
follows, and the report they add their counts, shared lists and named fixtures to.

Sizes are the crowd; the named fixtures the benchmarks rely on (the heavy learner's 50
enrolments and 30 badges, the reviewer's 500 open reviews, the big book club) come on top
and keep their size at any `--scale`. A few sizes have a floor so those fixtures fit (the
heavy learner needs 50 pathways to enrol in and 30 micro-credentials to hold)."""

import random
import time
from dataclasses import dataclass, field
from datetime import datetime

DEFAULTS = {
    "districts": 50,
    "learners": 20_000,
    "pages": 200,
    "submissions": 100_000,
    "assertions": 200_000,
    "cohorts": 200,
}
NATIONAL = 10

# The named fixtures, full size at any scale.
HEAVY_ENROLMENTS = 50
HEAVY_BADGES = 30
HEAVY_PLAN_ITEMS = 12
REVIEWER_OPEN = 500
BIG_DISTRICT_SHARE = 0.35  # of the learners: about 7,000 at the default size
BIG_DISTRICT_INVITATIONS = 300
BIG_COHORT_MEMBERS = 40
BIG_COHORT_SESSIONS = 12
BIG_COHORT_HELD = 8
BIG_COHORT_POSTS = 200
BIG_COHORT_TITLE = "scale-cohort-big"

FLOORS = {
    "districts": 2,
    "learners": 200,
    "submissions": 0,
    "assertions": 0,
    "cohorts": 0,
}
MIN_BOOKS, MIN_MICRO_CREDENTIALS, MIN_PATHWAYS = 2, HEAVY_BADGES, HEAVY_ENROLMENTS
LEARNERS_PER_REVIEWER = 200


@dataclass(frozen=True)
class ScalePlan:
    seed: int
    districts: int
    learners: int
    pages: int
    submissions: int
    assertions: int
    cohorts: int
    # Every time in the data is measured back from here: the start of the day the command
    # ran, so two runs on one day make the same data.
    now: datetime
    rng: random.Random = field(repr=False, compare=False)

    @classmethod
    def build(
        cls, *, seed: int, now: datetime, scale: float = 1.0, national: bool = False, **sizes
    ) -> "ScalePlan":
        """Sizes given (None: the default times `scale`), times ten for `national`, each
        at least its floor."""
        times = NATIONAL if national else 1
        chosen = {}
        for name, default in DEFAULTS.items():
            size = sizes.get(name)
            size = round(default * scale * times) if size is None else size * times
            chosen[name] = max(size, FLOORS.get(name, 0))
        return cls(seed=seed, now=now, rng=random.Random(seed), **chosen)

    # The pages: a few books, then micro-credentials and pathways in equal parts.

    @property
    def books(self) -> int:
        return max(MIN_BOOKS, self.pages // 20)

    @property
    def micro_credentials(self) -> int:
        return max(MIN_MICRO_CREDENTIALS, (self.pages - self.books) // 2)

    @property
    def pathways(self) -> int:
        return max(MIN_PATHWAYS, self.pages - self.books - self.micro_credentials)

    @property
    def reviewers(self) -> int:
        return max(5, self.learners // LEARNERS_PER_REVIEWER)

    def problems(self) -> list[str]:
        """Sizes that cannot be met: a learner holds a badge, and tries a
        micro-credential, once (plus a second attempt)."""
        problems = []
        pairs = self.learners * self.micro_credentials
        if self.assertions > pairs // 2:
            problems.append(
                f"{self.assertions:,} badges among {self.learners:,} learners and "
                f"{self.micro_credentials:,} micro-credentials is too many: at most "
                f"{pairs // 2:,}."
            )
        if self.submissions + REVIEWER_OPEN > pairs // 2:
            problems.append(
                f"{self.submissions:,} submissions among {self.learners:,} learners and "
                f"{self.micro_credentials:,} micro-credentials is too many: at most "
                f"{pairs // 2 - REVIEWER_OPEN:,}."
            )
        return problems

    def sizes(self) -> dict:
        return {
            "seed": self.seed,
            **{name: getattr(self, name) for name in DEFAULTS},
            "pages": self.books + self.micro_credentials + self.pathways,
            "books": self.books,
            "micro_credentials": self.micro_credentials,
            "pathways": self.pathways,
            "reviewers": self.reviewers,
        }


@dataclass
class ScaleReport:
    """Rows made per model, what one app leaves for those above it (`shared`: lists of
    ids, so 20,000 users are not read back), the named fixtures for `var/scale.json`, and
    how long each part took."""

    counts: dict[str, int] = field(default_factory=dict)
    removed_counts: dict[str, int] = field(default_factory=dict)
    shared: dict = field(default_factory=dict)
    fixtures: dict = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)

    def made(self, model, count: int) -> None:
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + count

    def removed(self, what: str, count: int) -> None:
        self.removed_counts[what] = self.removed_counts.get(what, 0) + count

    def fixture(self, key: str, value) -> None:
        self.fixtures[key] = value

    def url(self, key: str, url: str) -> None:
        """A URL the benchmarks ask for (absolute, on SITE_URL), under "urls"."""
        self.fixtures.setdefault("urls", {})[key] = url

    def timed(self, part: str, started: float) -> None:
        self.timings.append((part, time.perf_counter() - started))

    def render(self, *, total_seconds: float) -> str:
        lines = ["Scale data made:"]
        width = max((len(label) for label in self.counts), default=0)
        for label, count in sorted(self.counts.items()):
            lines.append(f"  {label:<{width}}  {count:>9,}")
        if self.removed_counts:
            removed = ", ".join(f"{what} {n:,}" for what, n in self.removed_counts.items())
            lines.append(f"Replaced earlier scale data ({removed}).")
        lines.append(
            "Time: "
            + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in self.timings)
            + f"; total {total_seconds:.1f} s"
        )
        return "\n".join(lines) + "\n"
