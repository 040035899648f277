"""How far two sets of rubric decisions agree: percentage and Cohen's kappa (agreement
beyond what chance would give). Pure functions for calibration reports."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Agreement:
    pairs: int
    percent: float | None
    kappa: float | None

    def meets(self, bar: float) -> bool:
        """Calibrated at `bar` (0.8 = 80%) agreement; kappa too when it is defined."""
        if self.percent is None:
            return False
        return self.percent >= bar * 100 and (self.kappa is None or self.kappa >= bar)


def agreement(pairs: Iterable[tuple[str, str]]) -> Agreement:
    """`pairs` of (reviewer's decision, reference decision), e.g. ("meets", "not_yet")."""
    return agreement_counted(Counter(pairs))


def agreement_counted(counts: Mapping[tuple[str, str], int]) -> Agreement:
    """The same from how many times each kind of pair occurred: {("meets", "meets"): 40, …},
    as a database's GROUP BY gives them, without listing every pair."""
    n = sum(counts.values())
    if not n:
        return Agreement(0, None, None)
    observed = sum(count for (a, b), count in counts.items() if a == b) / n
    first: Counter = Counter()
    second: Counter = Counter()
    for (a, b), count in counts.items():
        first[a] += count
        second[b] += count
    expected = sum(first[label] * second[label] for label in first.keys() | second.keys()) / (n * n)
    # With one label only on both sides chance agreement is total and kappa is undefined.
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(n, round(observed * 100, 1), None if kappa is None else round(kappa, 3))
