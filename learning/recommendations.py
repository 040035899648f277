"""Ranking what to learn next. A pure function of plain data, so it can be tested as a
table and with properties; `learning.selectors.recommendation_list` feeds it from the
database.

An item's score is the sum, over the rated elements it serves, of the learner's gap on the
element (target level minus rating, never below zero) times the element's weight, divided
by the item's estimated hours: what closes the most gap per hour comes first."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

DEFAULT_WEIGHT = 1


@dataclass(frozen=True)
class RatedElement:
    id: int
    name: str
    rating: int
    rating_name: str
    weight: int | None = None


@dataclass(frozen=True)
class Candidate:
    """A pathway or micro-credential that could be recommended. `element_ids` are the
    rated elements it serves (directly or through a crosswalk); `prerequisite_ids` the
    pages that must be finished or earned first."""

    page_id: int
    title: str
    hours: Decimal
    element_ids: frozenset[int]
    prerequisite_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Recommendation:
    page_id: int
    title: str
    score: Decimal
    reasons: tuple[str, ...]


def element_gap(element: RatedElement, target: int) -> int:
    return max(0, target - element.rating)


def recommendations_rank(
    *,
    elements: Iterable[RatedElement],
    candidates: Iterable[Candidate],
    target: int,
    done_ids: frozenset[int] | set[int] = frozenset(),
    limit: int | None = None,
) -> list[Recommendation]:
    """Candidates that close a gap, best first. Left out: what is done (finished or
    earned), what has a prerequisite not done, and what closes no gap. Ties go to the
    shorter item, then by title and id, so the order is stable."""
    by_id: Mapping[int, RatedElement] = {element.id: element for element in elements}
    ranked = []
    for candidate in candidates:
        if candidate.page_id in done_ids or not candidate.prerequisite_ids <= done_ids:
            continue
        contributions = []
        for element_id in candidate.element_ids:
            element = by_id.get(element_id)
            if element is None:
                continue
            gap = element_gap(element, target)
            if gap:
                weight = element.weight or DEFAULT_WEIGHT
                contributions.append((gap * weight, element))
        if not contributions:
            continue
        hours = max(candidate.hours, Decimal("0.5"))
        score = Decimal(sum(value for value, _ in contributions)) / hours
        contributions.sort(key=lambda pair: (-pair[0], pair[1].name))
        reasons = tuple(
            f"{element.name}: you rated {element.rating_name}" for _, element in contributions
        )
        ranked.append(
            (
                (-score, candidate.hours, candidate.title, candidate.page_id),
                Recommendation(candidate.page_id, candidate.title, score, reasons),
            )
        )
    ranked.sort(key=lambda pair: pair[0])
    result = [recommendation for _, recommendation in ranked]
    return result[:limit] if limit is not None else result
