"""Leap bakes a bulk award's PNG badges with the image parsed once (credentials.openbadges
.baking.baker): each file is the one openbadges-bakery makes, byte for byte, and reads back
as the assertion."""

import io
import json
from pathlib import Path

import openbadges_bakery
import pytest
from openbadges_bakery import bake, unbake

from credentials.openbadges.art import badge_art_png
from credentials.openbadges.baking import baker

TESTFILES = Path(openbadges_bakery.__file__).parent / "testfiles"

ASSERTIONS = [
    json.dumps({"id": "https://leap.example/public/assertions/1", "narrative": "Réussi ✓"}),
    json.dumps({"id": "https://leap.example/public/assertions/2", "recipient": {"salt": "x"}}),
]


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(
            badge_art_png(title="Using Data", level="introductory", issuer="Leap"), id="art"
        ),
        pytest.param((TESTFILES / "public_domain_heart.png").read_bytes(), id="unbaked"),
        # Baked before: its earlier assertion is left out, as the bakery leaves it out.
        pytest.param((TESTFILES / "baked_heart.png").read_bytes(), id="baked-before"),
        pytest.param((TESTFILES / "unbaked_example.svg").read_bytes(), id="svg"),
    ],
)
def test_each_file_is_the_bakerys_byte_for_byte_and_reads_back(image):
    bake_into = baker(image)
    for text in ASSERTIONS:
        ours = bake_into(text)
        assert ours == bake(io.BytesIO(image), text).read()
        if image.startswith(b"\x89PNG"):  # an SVG is baked by the bakery itself
            assert json.loads(unbake(io.BytesIO(ours))) == json.loads(text)


def test_a_file_that_is_not_an_image_fails_as_the_bakery_does():
    with pytest.raises(Exception) as ours:
        baker(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(Exception) as theirs:
        bake(io.BytesIO(b"\x89PNG\r\n\x1a\nnot really"), "{}")
    assert type(ours.value) is type(theirs.value)
