"""The one rule for badge images (micro-credential badges and district issuer images)."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from cms.validators import badge_image_kind

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


def image_bytes(width: int, height: int, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#0b5c8a").save(buffer, fmt)
    return buffer.getvalue()


def test_square_pngs_of_400_pixels_or_more_and_svgs_are_badges():
    assert badge_image_kind(image_bytes(400, 400)) == "png"
    assert badge_image_kind(image_bytes(1024, 1024)) == "png"
    assert badge_image_kind(SVG) == "svg"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (image_bytes(600, 400), "The image must be square; this one is 600 × 400 pixels."),
        (
            image_bytes(200, 200),
            "The image must be at least 400 × 400 pixels; this one is 200 × 200.",
        ),
        (image_bytes(500, 500, "JPEG"), "The image must be a PNG or an SVG file."),
        (b"<html><body>not an svg</body></html>", "The image must be a PNG or an SVG file."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "The PNG file is damaged and cannot be read."),
        (
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "The image must be a PNG or an SVG file.",
        ),
    ],
)
def test_anything_else_is_refused_with_the_reason(data, message):
    with pytest.raises(ValidationError) as error:
        badge_image_kind(data)
    assert error.value.messages == [message]
