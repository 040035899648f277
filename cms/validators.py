"""Validation of values editors type or upload."""

import io
import re
from typing import Literal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from PIL import Image

from cms.svg import NotSvg, svg_sanitise

MIN_BADGE_PIXELS = 400
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_TAGS = {"svg", "{http://www.w3.org/2000/svg}svg"}


def normalise_isbn(value: str) -> str:
    """Digits only (and a final X for ISBN-10), as stored."""
    return re.sub(r"[\s-]", "", value).upper()


def isbn_is_valid(value: str) -> bool:
    isbn = normalise_isbn(value)
    if re.fullmatch(r"\d{9}[\dX]", isbn):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(isbn))
        return total % 11 == 0
    if re.fullmatch(r"97[89]\d{10}", isbn):
        total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(isbn))
        return total % 10 == 0
    return False


def validate_isbn(value: str) -> None:
    if value and not isbn_is_valid(value):
        raise ValidationError(
            "Enter a valid ISBN-10 or ISBN-13 (check the digits; hyphens are fine).",
            code="invalid_isbn",
        )


def badge_image_kind(data: bytes) -> Literal["png", "svg"]:
    """The one rule for badge and issuer images: a square PNG of 400 px or more, or an SVG.
    Returns the kind, found from the content (never from a file name); raises
    ValidationError saying why the image cannot be used."""
    if data.startswith(PNG_SIGNATURE):
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                image.verify()
        except Exception as error:  # Pillow raises many kinds for a broken file
            raise ValidationError(
                "The PNG file is damaged and cannot be read.", code="damaged_image"
            ) from error
        if width != height:
            raise ValidationError(
                f"The image must be square; this one is {width} × {height} pixels.",
                code="image_not_square",
            )
        if width < MIN_BADGE_PIXELS:
            raise ValidationError(
                f"The image must be at least {MIN_BADGE_PIXELS} × {MIN_BADGE_PIXELS} pixels; "
                f"this one is {width} × {height}.",
                code="image_too_small",
            )
        return "png"
    try:
        root = fromstring(data)  # defusedxml: no entity expansion, no external resources
    except (ParseError, DefusedXmlException, ValueError):
        root = None
    if root is None or root.tag not in SVG_TAGS:
        raise ValidationError("The image must be a PNG or an SVG file.", code="image_type")
    try:
        svg_sanitise(data)  # what Leap keeps of it; see cms.svg
    except NotSvg as error:
        raise ValidationError(
            "The SVG file is too large or too deeply nested to be read safely; simplify it "
            "or use a PNG.",
            code="image_too_complex",
        ) from error
    return "svg"


def badge_image_problem(image) -> str | None:
    """Why a Wagtail image cannot be a badge (see `badge_image_kind`), or None."""
    with image.open_file() as file:
        data = file.read()
    try:
        badge_image_kind(data)
    except ValidationError as error:
        return error.messages[0]
    return None
