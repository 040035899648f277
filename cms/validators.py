"""Validation of values editors type or upload."""

import re
from pathlib import Path

from django.core.exceptions import ValidationError

MIN_BADGE_PIXELS = 400


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


def badge_image_problem(image) -> str | None:
    """Why a Wagtail image cannot be a badge (a square PNG of 400 px or more, or an SVG)."""
    if image.is_svg():
        return None
    if Path(image.file.name).suffix.lower() != ".png":
        return "A badge image must be a PNG or an SVG file."
    if image.width != image.height:
        return f"A badge image must be square; this one is {image.width} × {image.height} pixels."
    if image.width < MIN_BADGE_PIXELS:
        return (
            f"A badge image must be at least {MIN_BADGE_PIXELS} × {MIN_BADGE_PIXELS} pixels; "
            f"this one is {image.width} × {image.height}."
        )
    return None
