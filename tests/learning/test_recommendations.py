"""The ranking as a pure function: a table of cases, then properties (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.recommendations import Candidate, RatedElement, recommendations_rank

NAMES = {0: "Not evident", 1: "Emerging", 2: "Established", 3: "Exemplary"}


def rated(element_id, rating, weight=None, name=None):
    return RatedElement(
        id=element_id,
        name=name or f"Element {element_id}",
        rating=rating,
        rating_name=NAMES[rating],
        weight=weight,
    )


def item(page_id, elements, hours="1", prerequisites=(), title=None):
    return Candidate(
        page_id=page_id,
        title=title or f"Item {page_id}",
        hours=Decimal(hours),
        element_ids=frozenset(elements),
        prerequisite_ids=frozenset(prerequisites),
    )


def ranked_ids(elements, candidates, target=3, done=frozenset()):
    return [
        r.page_id
        for r in recommendations_rank(
            elements=elements, candidates=candidates, target=target, done_ids=done
        )
    ]


CASES = [
    pytest.param(
        [rated(1, 0), rated(2, 2)],
        [item(10, [2]), item(11, [1])],
        {},
        [11, 10],
        id="bigger gap first",
    ),
    pytest.param(
        [rated(1, 1, weight=15), rated(2, 1, weight=5)],
        [item(10, [2]), item(11, [1])],
        {},
        [11, 10],
        id="weight multiplies the gap",
    ),
    pytest.param(
        [rated(1, 0)],
        [item(10, [1], hours="10"), item(11, [1], hours="2")],
        {},
        [11, 10],
        id="fewer hours for the same gap ranks higher",
    ),
    pytest.param(
        [rated(1, 0), rated(2, 0)],
        [item(10, [1]), item(11, [1, 2])],
        {},
        [11, 10],
        id="gaps add up over aligned elements",
    ),
    pytest.param(
        [rated(1, 3)],
        [item(10, [1])],
        {},
        [],
        id="no gap, no recommendation",
    ),
    pytest.param(
        [rated(1, 2)],
        [item(10, [1])],
        {"target": 2},
        [],
        id="a lower target closes the gap",
    ),
    pytest.param(
        [rated(1, 0)],
        [item(10, [1]), item(11, [1])],
        {"done": {10}},
        [11],
        id="finished or earned items are left out",
    ),
    pytest.param(
        [rated(1, 0)],
        [item(10, [1], prerequisites=[12]), item(11, [1], prerequisites=[13])],
        {"done": {13}},
        [11],
        id="missing prerequisites leave an item out",
    ),
    pytest.param(
        [rated(1, 0)],
        [item(10, [99])],
        {},
        [],
        id="unrated elements do not count",
    ),
    pytest.param(
        [rated(1, 1)],
        [item(11, [1], title="B"), item(10, [1], title="A")],
        {},
        [10, 11],
        id="ties are broken by title",
    ),
]


@pytest.mark.parametrize(("elements", "candidates", "options", "expected"), CASES)
def test_ranking_table(elements, candidates, options, expected):
    assert ranked_ids(elements, candidates, **options) == expected


def test_every_recommendation_says_why_in_words_largest_gap_first():
    elements = [
        rated(1, 1, name="Strategic Planning"),
        rated(2, 0, name="Data Management"),
        rated(3, 3, name="Leadership and Vision"),
    ]
    [recommendation] = recommendations_rank(
        elements=elements, candidates=[item(10, [1, 2, 3])], target=3
    )
    assert recommendation.reasons == (
        "Data Management: you rated Not evident",
        "Strategic Planning: you rated Emerging",
    )
    assert recommendation.score == Decimal(5)


def test_limit_keeps_the_best():
    elements = [rated(1, 0), rated(2, 1)]
    candidates = [item(10, [2]), item(11, [1]), item(12, [1, 2])]
    assert [
        r.page_id
        for r in recommendations_rank(elements=elements, candidates=candidates, target=3, limit=2)
    ] == [12, 11]


# Properties.

element_ids = st.integers(min_value=1, max_value=6)


@st.composite
def scenarios(draw):
    ids = sorted(draw(st.sets(element_ids, min_size=1, max_size=6)))
    elements = [
        rated(i, draw(st.integers(0, 3)), weight=draw(st.one_of(st.none(), st.integers(1, 40))))
        for i in ids
    ]
    candidates = [
        item(
            100 + n,
            draw(st.sets(st.sampled_from(ids), min_size=1, max_size=len(ids))),
            hours=str(draw(st.sampled_from(["0.5", "1", "2", "4", "10"]))),
        )
        for n in range(draw(st.integers(1, 8)))
    ]
    return elements, candidates


def raise_rating(elements, element_id, to):
    return [
        RatedElement(e.id, e.name, to, NAMES[to], e.weight) if e.id == element_id else e
        for e in elements
    ]


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.data())
def test_raising_a_rating_never_raises_a_score(scenario, data):
    elements, candidates = scenario
    element = data.draw(st.sampled_from(elements))
    higher = data.draw(st.integers(element.rating, 3))
    before = {
        r.page_id: r.score
        for r in recommendations_rank(elements=elements, candidates=candidates, target=3)
    }
    after = {
        r.page_id: r.score
        for r in recommendations_rank(
            elements=raise_rating(elements, element.id, higher), candidates=candidates, target=3
        )
    }
    assert set(after) <= set(before)
    assert all(after[page_id] <= before[page_id] for page_id in after)


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.data())
def test_raising_a_rating_never_raises_the_rank_of_items_aligned_only_to_it(scenario, data):
    elements, candidates = scenario
    element = data.draw(st.sampled_from(elements))
    higher = data.draw(st.integers(element.rating, 3))
    before = ranked_ids(elements, candidates)
    after = ranked_ids(raise_rating(elements, element.id, higher), candidates)
    for candidate in candidates:
        if candidate.element_ids != {element.id} or candidate.page_id not in after:
            continue
        assert after.index(candidate.page_id) >= before.index(candidate.page_id)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_ranking_is_sorted_and_leaves_out_done_items(scenario):
    elements, candidates = scenario
    done = {candidates[0].page_id}
    result = recommendations_rank(elements=elements, candidates=candidates, target=3, done_ids=done)
    scores = [r.score for r in result]
    assert scores == sorted(scores, reverse=True)
    assert done.isdisjoint(r.page_id for r in result)
    assert all(r.reasons for r in result)
