"""`cms.numbers` writes numbers as the templates' `floatformat` would, so long tables can
format them in Python and show the same text."""

import random

import pytest
from django.template.defaultfilters import floatformat

from cms.numbers import float_text, percent_text, places_text

EDGES = [0.0, -0.0, 0.125, 0.135, 2.675, 1.005, 0.045, -0.004, -0.005, -0.12, 1e-7]
EDGES += [3.0, 33.3, 66.66666, 75.55, 80.0, 80.04, 100.0, 12345.678]


@pytest.mark.parametrize("places", [-1, 1, 2])
def test_float_text_is_floatformat(places):
    sample = random.Random(16)
    values = [*EDGES, *(sample.uniform(-1, 1) for _ in range(2000))]
    values += [round(sample.uniform(0, 100), 1) for _ in range(1000)]  # the reports' percents
    values += [sample.randint(0, 4000) / 8 for _ in range(1000)]  # halves, quarters, eighths
    assert [float_text(value, places) for value in values] == [
        str(floatformat(value, places)) for value in values
    ]


def test_percents_and_places_say_a_dash_for_no_value():
    assert percent_text(80.0) == "80%"
    assert percent_text(66.7) == "66.7%"
    assert percent_text(None) == "—"
    assert places_text(0.125, 2) == "0.13"  # half up, as floatformat
    assert places_text(-0.004, 2) == "0.00"  # no minus on a zero
    assert places_text(None, 1) == "—"
