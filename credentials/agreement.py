"""How far two sets of rubric decisions agree: percentage and Cohen's kappa (agreement
beyond what chance would give). Pure functions for calibration reports."""

from collections import Counter
from collections.abc import Iterable
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
    pairs = list(pairs)
    n = len(pairs)
    if not n:
        return Agreement(0, None, None)
    observed = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first.keys() | second.keys()) / (n * n)
    # With one label only on both sides chance agreement is total and kappa is undefined.
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(n, round(observed * 100, 1), None if kappa is None else round(kappa, 3))
