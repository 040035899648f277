"""The check of an uploaded issuer image, and the bytes Leap keeps of a badge or issuer
image: an SVG is made passive first (`cms.svg`), since badges travel to backpacks and
pages that do not sandbox them. (Badge art is drawn in `art.py`, as a PNG.)"""

from django.core.exceptions import ValidationError

from cms.svg import NotSvg, svg_sanitise
from cms.validators import badge_image_kind

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def image_upload_check(upload) -> str:
    """The kind ("png" or "svg") of an uploaded issuer image, which follows the rule for badge
    images (`cms.validators.badge_image_kind`). Raises ValidationError saying why not."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The image is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return badge_image_kind(data)


def image_for_storage(data: bytes, kind: str) -> bytes:
    """The bytes to keep of a badge or issuer image of `kind` ("png" or "svg"): an SVG
    without scripts, event handlers, foreign content or outside references. Raises
    ValidationError when an SVG cannot be read safely."""
    if kind != "svg":
        return data
    try:
        return svg_sanitise(data)
    except NotSvg as error:
        raise ValidationError("The SVG file cannot be read; export it again.") from error
